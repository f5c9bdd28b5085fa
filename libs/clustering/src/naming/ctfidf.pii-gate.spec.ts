/**
 * The term-level PII gate on its own: the detector is stubbed so that span masking finds
 * nothing and only `containsPii` on candidate terms (and on the assembled name) can stop a word.
 */
import { describe, expect, it, vi } from 'vitest';
import { nameClusters } from './ctfidf';

vi.mock('@silhouette/privacy', () => ({
  detectPii: () => [],
  containsPii: (text: string) => /secretword|alpha · omega/.test(text),
}));

function cluster(id: string, text: string) {
  return { id, members: Array.from({ length: 6 }, (_, u) => ({ text, user: `${id}-${u}` })) };
}

describe('nameClusters term-level PII gate', () => {
  it('drops a term the detector flags even when every user used it', () => {
    const names = nameClusters(
      [cluster('a', 'secretword; secretword ledger; invoices'), cluster('b', 'flights; hotels')],
      { kUsers: 5, maxTerms: 5 },
    );
    const a = names.get('a')!;
    expect(a.terms.length).toBeGreaterThan(0);
    expect(JSON.stringify(a)).not.toMatch(/secretword/);
  });

  it('drops a term whose combination with the name so far would be flagged', () => {
    // "alpha" and "omega" are each fine, but the name "alpha · omega" is not.
    const names = nameClusters(
      [cluster('a', 'alpha; alpha; alpha; omega; omega; zulu'), cluster('b', 'flights; hotels')],
      { kUsers: 5 },
    );
    expect(names.get('a')!.name).not.toMatch(/alpha · omega/);
    expect(names.get('a')!.name).toMatch(/alpha/);
  });
});
