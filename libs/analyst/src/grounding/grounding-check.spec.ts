import { describe, expect, it } from 'vitest';
import { FigureLedger } from './figure-ledger';
import { checkGrounding, numberMentions } from './grounding-check';

function ledger() {
  const l = new FigureLedger();
  l.addToolOutput(
    'get_overview',
    {
      snapshot_id: 's1',
      conversations: 1234,
      failure_rate: 0.4231,
      minutes_saved: { total: 5678.4, total_low: 5000, total_high: 6100.5 },
      weekly: [{ week: '2026-W41', conversations: 40 }],
    },
    's1',
    { view: 'overview' },
  );
  l.addToolOutput(
    'list_clusters',
    { clusters: [{ cluster_id: 'c1', name: 'Python 3 scripts', conversations: 77 }] },
    's1',
    null,
  );
  return l;
}

describe('numberMentions', () => {
  it('reads thousands separators, decimals and percentages, not period labels', () => {
    const mentions = numberMentions(
      '1,234 chats, 42.3% failed, in 2026-W41 and 2026-10-05, 3 percent',
    );
    expect(mentions.map((m) => [m.value, m.decimals, m.percent])).toEqual([
      [1234, 0, false],
      [42.3, 1, true],
      [3, 0, true],
    ]);
  });
});

describe('checkGrounding', () => {
  it('accepts tool values rounded as displayed, rates as percentages, with their sources', () => {
    const result = checkGrounding(
      'There were 1,234 conversations; 42.3% failed (42%); about 5,678 minutes were saved (5678.4).',
      ledger(),
      'how many?',
    );
    expect(result.ok).toBe(true);
    expect(result.figures.map((f) => f.shown)).toEqual([
      '1,234',
      '42.3%',
      '42%',
      '5,678',
      '5678.4',
    ]);
    expect(result.figures[0]).toMatchObject({
      value: 1234,
      tool: 'get_overview',
      snapshot_id: 's1',
    });
    expect(result.figures[3]!.interval).toEqual({ low: 5000, high: 6100.5 });
    expect(result.figures[0]!.link).toEqual({ view: 'overview' });
  });

  it('rejects an invented number, and a wrong rounding of a real one', () => {
    expect(checkGrounding('There were 1,500 conversations.', ledger(), 'q').ungrounded).toEqual([
      '1,500',
    ]);
    expect(checkGrounding('42.4% failed.', ledger(), 'q').ungrounded).toEqual(['42.4%']);
    expect(checkGrounding('About 1,200 conversations.', ledger(), 'q').ok).toBe(false);
  });

  it('accepts numbers the question gave, published names with digits, and known periods only', () => {
    expect(checkGrounding('The top 3 are listed.', ledger(), 'top 3 clusters').ok).toBe(true);
    expect(checkGrounding('"Python 3 scripts" has 77 conversations.', ledger(), 'q').ok).toBe(true);
    expect(checkGrounding('In 2026-W41 there were 40.', ledger(), 'q').ok).toBe(true);
    expect(checkGrounding('In W41 there were 40.', ledger(), 'q').ok).toBe(true);
    expect(checkGrounding('In 2026-W40 there were 40.', ledger(), 'q').ungrounded).toEqual([
      '2026-W40',
    ]);
  });

  it('accepts quoted published names and the question, rejects invented ones', () => {
    expect(checkGrounding('"Python 3 scripts" is the largest.', ledger(), 'q').ok).toBe(true);
    const withLanguage = ledger();
    withLanguage.addToolOutput(
      'get_breakdown',
      { rows: [{ value: 'en', conversations: 9 }] },
      's1',
      null,
    );
    // A two-letter published value quoted whole is fine; two letters out of a longer text are not.
    expect(checkGrounding('"en" has 9.', withLanguage, 'q').ok).toBe(true);
    expect(checkGrounding('"Py" has 9.', withLanguage, 'q').ok).toBe(false);
    expect(checkGrounding('You asked “top clusters”.', ledger(), 'show the top clusters').ok).toBe(
      true,
    );
    expect(checkGrounding('"Quantum physics" is the largest.', ledger(), 'q').ungrounded).toEqual([
      '"Quantum physics"',
    ]);
  });

  it('links a cluster figure to the cluster', () => {
    const result = checkGrounding('It has 77 conversations.', ledger(), 'q');
    expect(result.figures[0]).toMatchObject({
      label: 'Clusters: cluster "Python 3 scripts": conversations',
      link: { view: 'explore', cluster: 'c1' },
    });
  });
});
