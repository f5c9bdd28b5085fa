import { describe, expect, it } from 'vitest';
import { FigureLedger } from '../grounding/figure-ledger';
import { checkGrounding } from '../grounding/grounding-check';
import { ToolInputError } from './analyst-tools';
import { calculate } from './calculator';

function ledger() {
  const l = new FigureLedger();
  l.addToolOutput(
    'get_breakdown',
    {
      rows: [
        { value: 'sales', conversations: 30, distinct_users: 6, minutes_saved: 90 },
        { value: 'support', conversations: 10, distinct_users: 5, minutes_saved: 45 },
      ],
    },
    's1',
    { view: 'breakdowns', facet: 'team' },
  );
  return l;
}

describe('calculate', () => {
  it('derives ratios, shares, changes and hours from tool values only', () => {
    const l = ledger();
    expect(calculate(l, { operation: 'ratio', values: [30, 10] }).figure.value).toBe(3);
    expect(calculate(l, { operation: 'share', values: [10, 30] }).figure.value).toBe(0.333333);
    expect(calculate(l, { operation: 'relative_change', values: [30, 10] }).figure.value).toBe(2);
    expect(calculate(l, { operation: 'minutes_to_hours', values: [90] }).figure.value).toBe(1.5);
    expect(calculate(l, { operation: 'sum', values: [30, 10] }).figure).toMatchObject({
      value: 40,
      tool: 'calculate',
      snapshotId: 's1',
    });
  });

  it('refuses inputs no tool returned, and adding people across cells', () => {
    const l = ledger();
    expect(() => calculate(l, { operation: 'sum', values: [30, 11] })).toThrow(ToolInputError);
    expect(() => calculate(l, { operation: 'sum', values: [30, 11] })).toThrow(/values.1/);
    expect(() => calculate(l, { operation: 'sum', values: [6, 5] })).toThrow(/distinct users/);
    expect(() => calculate(l, { operation: 'ratio', values: [30] })).toThrow(/takes 2 values/);
  });

  it('grounds an answer that shows a calculator result, as a percentage too', () => {
    const l = ledger();
    l.add(calculate(l, { operation: 'share', values: [10, 30] }).figure);
    const result = checkGrounding('Support had 33.3% as many conversations as sales.', l, 'q');
    expect(result.ok).toBe(true);
    expect(result.figures[0]).toMatchObject({ tool: 'calculate', value: 0.333333 });
  });
});
