import { describe, expect, it } from 'vitest';
import { looksLikeKeywordList, MAX_NAME_WORDS } from './name-readability';
import {
  facetPhrases,
  mergePhraseStats,
  phraseStats,
  readableNames,
  type FacetMember,
} from './readable-names';
import { FALLBACK_NAME } from './ctfidf';

/** `count` members, one user each unless `users` is given, with the same facets. */
function members(
  count: number,
  facets: Omit<FacetMember, 'user'>,
  users = count,
  prefix = facets.useCase,
): FacetMember[] {
  return Array.from({ length: count }, (_, i) => ({ ...facets, user: `${prefix}/${i % users}` }));
}

const rental = { useCase: 'finding rental cars', taskType: 'search & lookup', domain: 'travel' };
const table = {
  useCase: 'booking restaurant tables',
  taskType: 'booking',
  domain: 'food & dining',
};
const python = {
  useCase: 'debugging python scripts',
  taskType: 'debugging',
  domain: 'software engineering',
};

function names(clusters: Record<string, FacetMember[]>, kUsers = 5) {
  const named = readableNames(
    Object.entries(clusters).map(([id, list]) => ({ id, stats: phraseStats(list, kUsers) })),
    { kUsers },
  );
  return Object.fromEntries([...named].map(([id, n]) => [id, n.name]));
}

describe('facetPhrases', () => {
  it('takes the verb with each noun phrase of the object and its leading parts', () => {
    const surfaces = facetPhrases({
      useCase: 'finding drama movies to watch',
      taskType: 'search & lookup',
      domain: 'entertainment & media',
    }).map((p) => p.surface);
    expect(surfaces).toEqual(
      expect.arrayContaining([
        'finding movies',
        'finding drama movies',
        'drama movies',
        'finding drama',
        'entertainment & media',
        'searches',
        'searches in entertainment & media',
      ]),
    );
    // "watch" follows "to": an infinitive, not an object; only the whole use case keeps it.
    expect(surfaces.filter((s) => s.includes('watch'))).toEqual(['finding drama movies to watch']);
  });

  it('drops adjectives left at the end and digits', () => {
    const surfaces = facetPhrases({
      useCase: 'writing haiku for different 3 seasons',
      taskType: 'drafting',
      domain: 'other',
    }).map((p) => p.surface);
    expect(surfaces).toContain('writing haiku');
    expect(surfaces.some((s) => /different|\d/.test(s))).toBe(false);
    expect(surfaces.some((s) => s.includes('other'))).toBe(false);
  });

  it('reads "asking about" as questions', () => {
    const surfaces = facetPhrases({
      useCase: 'asking about exchange rate',
      taskType: 'other',
      domain: 'personal finance',
    }).map((p) => p.surface);
    expect(surfaces).toContain('questions about exchange rate');
  });
});

describe('readableNames', () => {
  it('names each cluster with the phrase its members share, as a person would write it', () => {
    const result = names({
      a: members(20, rental),
      b: members(20, table),
      c: members(20, python),
    });
    expect(result).toEqual({
      a: 'Finding rental cars',
      b: 'Booking restaurant tables',
      c: 'Debugging Python scripts',
    });
    for (const name of Object.values(result)) {
      expect(looksLikeKeywordList(name)).toBe(false);
      expect(name.split(' ').length).toBeLessThanOrEqual(MAX_NAME_WORDS);
    }
  });

  it('never uses a phrase fewer than k distinct users produced, however often', () => {
    // 30 conversations of two people about one project, next to a phrase five people share.
    const zephyr = {
      useCase: 'reviewing zephyr migration plan',
      taskType: 'analysis',
      domain: 'software engineering',
    };
    const cluster = [...members(30, zephyr, 2), ...members(10, rental)];
    const result = names({ a: cluster, b: members(20, table) });
    expect(result.a).toBe('Finding rental cars');
    expect(result.a!.toLowerCase()).not.toContain('zephyr');
  });

  it('falls back to categories, then to the fallback name, when no phrase has k users', () => {
    const thin = Array.from({ length: 12 }, (_, i) => ({
      useCase: `checking item${'abcdefghijkl'[i]}x`,
      taskType: 'search & lookup',
      domain: 'shopping',
      user: `u${i}`,
    }));
    expect(names({ a: thin, b: members(20, table) }).a).toBe('Searches in shopping');
    const nothing = thin.map((m) => ({ ...m, taskType: 'other', domain: 'other' }));
    expect(names({ a: nothing, b: members(20, table) }).a).toBe(FALLBACK_NAME);
  });

  it('keeps sibling names distinct', () => {
    const result = names({
      a: [...members(20, rental, 20, 'a')],
      b: [...members(12, rental, 12, 'b'), ...members(8, table, 8, 'b')],
      c: [...members(10, rental, 10, 'c')],
    });
    expect(new Set(Object.values(result)).size).toBe(3);
    expect(result.a).toBe('Finding rental cars');
  });

  it('never publishes a phrase the PII detector flags', () => {
    const leaky = members(10, {
      useCase: 'emailing jane.doe@example.com about invoices',
      taskType: 'drafting',
      domain: 'finance',
    });
    const result = names({ a: leaky, b: members(20, table) });
    expect(result.a).not.toMatch(/@|jane|doe/i);
  });

  it('gives a parent the same names from merged child statistics as from its members', () => {
    const childA = [...members(10, rental, 10, 'x'), ...members(6, table, 6, 'x')];
    const childB = [...members(9, rental, 9, 'y'), ...members(3, python, 3, 'y')];
    const other = members(15, python, 15, 'z');
    const merged = readableNames(
      [
        { id: 'p', stats: mergePhraseStats([phraseStats(childA, 5), phraseStats(childB, 5)], 5) },
        { id: 'q', stats: phraseStats(other, 5) },
      ],
      { kUsers: 5 },
    );
    const direct = readableNames(
      [
        { id: 'p', stats: phraseStats([...childA, ...childB], 5) },
        { id: 'q', stats: phraseStats(other, 5) },
      ],
      { kUsers: 5 },
    );
    expect(merged).toEqual(direct);
  });

  it('describes a cluster without any figure', () => {
    const named = readableNames([{ id: 'a', stats: phraseStats(members(20, table), 5) }], {
      kUsers: 5,
    });
    expect(named.get('a')!.description).toBe(
      'Conversations about booking restaurant tables, mostly in food & dining.',
    );
    expect(named.get('a')!.description).not.toMatch(/\d/);
  });
});
