import { describe, expect, it } from 'vitest';
import { FigureLedger } from '../grounding/figure-ledger';
import { intervalFields, noiseOf } from './interval-fields';

describe('intervalFields', () => {
  it('passes stored intervals through beside the field they bound, in any spelling', () => {
    expect(
      intervalFields({
        minutesSavedTotal: 100,
        minutesSavedLow: 80,
        minutesSavedHigh: 120,
        conversationsLow: 9,
        conversations_high: 14,
        value: 'sales',
      }),
    ).toEqual({
      minutes_saved_low: 80,
      minutes_saved_high: 120,
      conversations_low: 9,
      conversations_high: 14,
    });
  });

  it('lets the ledger attach them to the figure', () => {
    const ledger = new FigureLedger();
    ledger.addToolOutput(
      'get_breakdown',
      {
        rows: [
          {
            value: 'sales',
            conversations: 12,
            ...intervalFields({ conversationsLow: 9, conversationsHigh: 14 }),
          },
        ],
      },
      's1',
      null,
    );
    expect(ledger.find(12)?.interval).toEqual({ low: 9, high: 14 });
  });
});

describe('noise intervals of a dp publication', () => {
  it('travel with the figures they bound', () => {
    const ledger = new FigureLedger();
    const row = {
      value: 'sales',
      conversations: 41,
      distinct_users: 9,
      noise: { conversations: { low: 37, high: 45 }, distinct_users: { low: 7, high: 11 } },
    };
    ledger.addToolOutput('get_breakdown', { rows: [{ ...row, ...noiseOf(row) }] }, 's1', null);
    expect(ledger.find(41)?.interval).toEqual({ low: 37, high: 45 });
    expect(ledger.find(9)?.interval).toEqual({ low: 7, high: 11 });
    // The bounds are published figures too, labelled as the figure's interval.
    expect(ledger.find(37)?.label).toBe('Breakdown: "sales": conversations (90% interval low)');
    expect(ledger.all.some((f) => f.label.includes('noise'))).toBe(false);
    expect(noiseOf({ value: 'x' })).toEqual({});
  });
});
