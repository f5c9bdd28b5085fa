import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Pseudonymizer } from './pseudonym';

describe('Pseudonymizer', () => {
  const secret = randomBytes(32);
  it('is stable within a tenant, different across tenants and secrets, and hides the id', () => {
    const p = new Pseudonymizer(secret);
    const a = p.pseudonym('tenant-a', 'alice@example.com');
    expect(a).toBe(p.pseudonym('tenant-a', 'alice@example.com'));
    expect(a).not.toBe(p.pseudonym('tenant-b', 'alice@example.com'));
    expect(a).not.toBe(
      new Pseudonymizer(randomBytes(32)).pseudonym('tenant-a', 'alice@example.com'),
    );
    expect(a).toMatch(/^u_[A-Za-z0-9_-]{27}$/);
    expect(a).not.toContain('alice');
  });

  it('gives conversations their own pseudonyms, unlinkable to the user pseudonym of the same string', () => {
    const p = new Pseudonymizer(secret);
    const c = p.conversationPseudonym('tenant-a', 'alice@example.com');
    expect(c).toMatch(/^c_[A-Za-z0-9_-]{27}$/);
    expect(c).toBe(p.conversationPseudonym('tenant-a', 'alice@example.com'));
    expect(c).not.toBe(p.conversationPseudonym('tenant-b', 'alice@example.com'));
    expect(c.slice(2)).not.toBe(p.pseudonym('tenant-a', 'alice@example.com').slice(2));
  });
});
