import { describe, expect, it } from 'vitest';
import { StatementBatcher } from './statement-batcher';

describe('StatementBatcher', () => {
  it('runs the items added in one turn as one batch, answering each in order', async () => {
    const batches: number[][] = [];
    const batcher = new StatementBatcher<number, number>(async (items) => {
      batches.push(items);
      return items.map((item) => item * 10);
    });
    const results = await Promise.all([1, 2, 3, 4].map((item) => batcher.add(item)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it('caps a batch at maxSize', async () => {
    const batches: number[][] = [];
    const batcher = new StatementBatcher<number, number>(async (items) => {
      batches.push(items);
      return items;
    }, 3);
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((item) => batcher.add(item)));
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('a failing batch is re-run one item at a time: only the bad item fails', async () => {
    const batches: number[][] = [];
    const batcher = new StatementBatcher<number, number>(async (items) => {
      batches.push(items);
      if (items.includes(3)) throw new Error('item 3 is refused');
      return items;
    });
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map((item) => batcher.add(item)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((outcomes[2] as PromiseRejectedResult).reason).toEqual(new Error('item 3 is refused'));
    expect(batches).toEqual([[1, 2, 3, 4], [1], [2], [3], [4]]);
  });

  it('a batch answering the wrong number of results fails its items instead of misassigning', async () => {
    const batcher = new StatementBatcher<number, number>(async (items) => items.slice(1));
    const outcomes = await Promise.allSettled([1, 2].map((item) => batcher.add(item)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
  });

  it('later items form a new batch after the first was sent', async () => {
    const batches: number[][] = [];
    const batcher = new StatementBatcher<number, number>(async (items) => {
      batches.push(items);
      return items;
    });
    await batcher.add(1);
    await Promise.all([batcher.add(2), batcher.add(3)]);
    expect(batches).toEqual([[1], [2, 3]]);
  });
});
