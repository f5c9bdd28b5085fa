import { describe, expect, it } from 'vitest';
import { FigureLedger } from '../grounding/figure-ledger';
import { intervalFields } from './interval-fields';

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
