/**
 * The deterministic calculator: the only way a derived number (a ratio, a difference, a share, a
 * sum, a relative change, hours from minutes) can enter an answer. Its inputs must be values a
 * tool returned earlier in the same conversation, so a derived figure is grounded by construction.
 */
import { z } from 'zod';
import type { FigureLedger, LedgerFigure } from '../grounding/figure-ledger';
import { ToolInputError } from './analyst-tools';

export const CALCULATOR_OPERATIONS = [
  'sum',
  'difference',
  'ratio',
  'share',
  'relative_change',
  'mean',
  'minutes_to_hours',
] as const;
type Operation = (typeof CALCULATOR_OPERATIONS)[number];

export const calculatorInput = z
  .object({
    operation: z
      .enum(CALCULATOR_OPERATIONS)
      .describe(
        'sum: a+b+…; difference: a−b; ratio: a/b; share: part a of whole b (0..1); relative_change: (a−b)/b with a the newer; mean: average; minutes_to_hours: a/60',
      ),
    values: z
      .array(z.number())
      .min(1)
      .max(20)
      .describe('numbers exactly as earlier tool results gave them, in the order above'),
  })
  .strict();
export type CalculatorInput = z.infer<typeof calculatorInput>;

const ARITY: Record<Operation, [number, number]> = {
  sum: [2, 20],
  difference: [2, 2],
  ratio: [2, 2],
  share: [2, 2],
  relative_change: [2, 2],
  mean: [2, 20],
  minutes_to_hours: [1, 1],
};

/** The result's field name decides how it may be shown (shares and changes as percentages). */
const RESULT_FIELD: Record<Operation, string> = {
  sum: 'sum',
  difference: 'difference',
  ratio: 'ratio',
  share: 'share',
  relative_change: 'relative_change',
  mean: 'mean',
  minutes_to_hours: 'hours',
};

const tidy = (value: number) => Math.round(value * 1e6) / 1e6;

export function calculate(
  ledger: FigureLedger,
  input: CalculatorInput,
): { output: Record<string, unknown>; figure: LedgerFigure } {
  const [min, max] = ARITY[input.operation];
  if (input.values.length < min || input.values.length > max) {
    throw new ToolInputError(
      'values',
      `${input.operation} takes ${min === max ? min : `${min} to ${max}`} values`,
    );
  }
  const sources = input.values.map((value, index) => {
    const figure = ledger.find(value);
    if (!figure) {
      throw new ToolInputError(
        `values.${index}`,
        `${value} is not a value any tool returned in this conversation; pass tool values exactly`,
      );
    }
    return figure;
  });
  // A person active in two cells is one person: distinct users never add up across cells.
  if (
    (input.operation === 'sum' || input.operation === 'mean') &&
    sources.some((figure) => figure.field === 'distinct_users')
  ) {
    throw new ToolInputError(
      'values',
      'distinct users cannot be added across cells (one person can be in several); quote each cell',
    );
  }
  const [a, b] = input.values as [number, number];
  let result: number;
  switch (input.operation) {
    case 'sum':
      result = input.values.reduce((total, value) => total + value, 0);
      break;
    case 'mean':
      result = input.values.reduce((total, value) => total + value, 0) / input.values.length;
      break;
    case 'difference':
      result = a - b;
      break;
    case 'ratio':
    case 'share':
    case 'relative_change':
      if (b === 0) throw new ToolInputError('values.1', 'division by zero');
      result = input.operation === 'relative_change' ? (a - b) / b : a / b;
      break;
    case 'minutes_to_hours':
      result = a / 60;
      break;
  }
  const field = RESULT_FIELD[input.operation];
  const label = `${input.operation} of ${sources.map((s) => s.label).join(' and ')}`;
  const snapshots = new Set(sources.map((s) => s.snapshotId));
  const figure: LedgerFigure = {
    value: tidy(result),
    label,
    field,
    tool: 'calculate',
    snapshotId: snapshots.size === 1 ? sources[0]!.snapshotId : null,
    interval: null,
    link: sources[0]!.link,
  };
  return {
    output: { operation: input.operation, inputs: input.values, [field]: figure.value },
    figure,
  };
}
