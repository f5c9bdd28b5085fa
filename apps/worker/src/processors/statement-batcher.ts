/**
 * Group commit for concurrent jobs: the requests made while the event loop is busy (the jobs of
 * one worker in flight together) go to the database as one statement, so a worker tagging
 * hundreds of conversations a second pays a round trip, a parse and a commit per batch, not per
 * conversation. Each job still awaits its own result, and its own failure: when a batch fails,
 * its items are run again one by one, so one bad item fails alone and the others succeed (a batch
 * is one statement, so a failed one wrote nothing).
 */
interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class StatementBatcher<I, O> {
  private pending: Pending<I, O>[] = [];
  private scheduled = false;

  /**
   * @param run one statement for the items, answering in their order
   * @param maxSize most items a statement carries
   */
  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxSize = 64,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxSize) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks of this turn: the jobs woken together are batched together.
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    while (this.pending.length > 0) void this.runBatch(this.pending.splice(0, this.maxSize));
  }

  private async runBatch(batch: Pending<I, O>[]): Promise<void> {
    let results: O[];
    try {
      results = await this.run(batch.map((entry) => entry.item));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // One at a time, so the failure stays with the item that caused it.
      for (const entry of batch) {
        await this.run([entry.item]).then(
          (one) => entry.resolve(one[0]!),
          (alone: unknown) => entry.reject(alone),
        );
      }
      return;
    }
    if (results.length !== batch.length) {
      const error = new Error(`batch answered ${results.length} results for ${batch.length} items`);
      for (const entry of batch) entry.reject(error);
      return;
    }
    batch.forEach((entry, i) => entry.resolve(results[i]!));
  }
}
