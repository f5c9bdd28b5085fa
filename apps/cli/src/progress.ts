/**
 * Progress of long CLI commands (`process`, `ingest`, `eval-clusters`, the importers).
 *
 * On a terminal: one live line, rewritten in place at most every `refreshMs`:
 *   `tagging  12,400/100,000  1,530/s  ETA 51s  3 failed`
 * With `--json`, or when the stream is not a terminal (CI, pipes, log files): nothing live, one
 * JSON line per stage when it ends:
 *   `{"progress":"tagging","done":100000,"total":100000,"failed":3,"seconds":65.4,"rate":1530.1}`
 *
 * Progress goes to stderr, so stdout keeps only the command's result (its `--json` summary stays
 * a single parseable document). Lines carry counts and stage names only, never content.
 */

/** The part of a stream the reporter needs (process.stderr, or a capture in tests). */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** `--json`: JSON lines even on a terminal. */
  json?: boolean;
  /** Default process.stderr. */
  stream?: ProgressStream;
  /** Milliseconds clock (tests). Default performance.now. */
  now?: () => number;
  /** Shortest interval between two redraws of the live line. Default 100 ms. */
  refreshMs?: number;
  /** No output at all (e.g. library use of a command). */
  silent?: boolean;
}

/** What a finished stage reports: the JSON line, and the final live line's figures. */
export interface StageSummary {
  progress: string;
  done: number;
  total: number | null;
  failed: number;
  seconds: number;
  rate: number | null;
  /** Stage-specific extras (e.g. `{"duplicates": 3}`); counts and identifiers only. */
  [extra: string]: unknown;
}

export class ProgressReporter {
  private readonly stream: ProgressStream;
  private readonly live: boolean;
  private readonly silent: boolean;
  private readonly now: () => number;
  private readonly refreshMs: number;
  private active: StageProgress | undefined;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.silent = options.silent ?? false;
    this.live = !options.json && this.stream.isTTY === true;
    this.now = options.now ?? (() => performance.now());
    this.refreshMs = options.refreshMs ?? 100;
  }

  /** Whether progress is drawn as a live line (a terminal without `--json`). */
  get isLive(): boolean {
    return this.live && !this.silent;
  }

  /**
   * Starts a stage; `total` may be unknown (undefined) or set later. A stage still open when the
   * next one starts is finished first, so every stage gets its line.
   */
  stage(name: string, total?: number): StageProgress {
    if (this.active && !this.active.finished) this.active.finish();
    const stage = new StageProgress(this, name, total, this.now());
    this.active = stage;
    stage.redraw(true);
    return stage;
  }

  /** Ends the open stage, if any (call in `finally` so a failing command leaves a clean line). */
  close(): void {
    if (this.active && !this.active.finished) this.active.finish({ interrupted: true });
    this.active = undefined;
  }

  /** @internal */
  elapsedMs(since: number): number {
    return this.now() - since;
  }

  /** @internal */
  clock(): number {
    return this.now();
  }

  /** @internal */
  get refreshInterval(): number {
    return this.refreshMs;
  }

  /** @internal: the live line, redrawn in place. */
  drawLive(line: string, final: boolean): void {
    if (!this.isLive) return;
    const width = Math.max(20, (this.stream.columns ?? 100) - 1);
    const clipped = line.length > width ? `${line.slice(0, width - 1)}…` : line;
    this.stream.write(`\r\x1b[2K${clipped}${final ? '\n' : ''}`);
  }

  /** @internal: the end-of-stage JSON line (not live). */
  writeSummary(summary: StageSummary): void {
    if (this.silent || this.live) return;
    this.stream.write(`${JSON.stringify(summary)}\n`);
  }
}

export class StageProgress {
  private doneCount = 0;
  private failedCount = 0;
  private lastDraw = -Infinity;
  private ended = false;

  /** @internal: use `ProgressReporter.stage`. */
  constructor(
    private readonly reporter: ProgressReporter,
    readonly name: string,
    private totalCount: number | undefined,
    private readonly startedAt: number,
  ) {}

  get done(): number {
    return this.doneCount;
  }

  get failed(): number {
    return this.failedCount;
  }

  get total(): number | undefined {
    return this.totalCount;
  }

  get finished(): boolean {
    return this.ended;
  }

  /** `done` more items finished (successfully or not), `failed` of them failed. */
  advance(done = 1, failed = 0): void {
    this.update(this.doneCount + done, this.failedCount + failed);
  }

  /** Absolute figures (for stages that poll a count, like tagging in `process`). */
  update(done: number, failed = this.failedCount, total = this.totalCount): void {
    if (this.ended) return;
    this.doneCount = Math.max(0, done);
    this.failedCount = Math.max(0, failed);
    this.totalCount = total;
    this.redraw(false);
  }

  /** Ends the stage: the final live line, or its JSON line. Extras are added to the JSON line. */
  finish(extra: Record<string, unknown> = {}): StageSummary {
    const summary = this.summary(extra);
    if (this.ended) return summary;
    this.ended = true;
    this.reporter.drawLive(this.render(true), true);
    this.reporter.writeSummary(summary);
    return summary;
  }

  /** @internal */
  redraw(force: boolean): void {
    const now = this.reporter.clock();
    if (!force && now - this.lastDraw < this.reporter.refreshInterval) return;
    this.lastDraw = now;
    this.reporter.drawLive(this.render(false), false);
  }

  private summary(extra: Record<string, unknown>): StageSummary {
    const seconds = this.reporter.elapsedMs(this.startedAt) / 1000;
    return {
      progress: this.name,
      done: this.doneCount,
      total: this.totalCount ?? null,
      failed: this.failedCount,
      seconds: round(seconds, 2),
      rate: seconds > 0 && this.doneCount > 0 ? round(this.doneCount / seconds, 1) : null,
      ...extra,
    };
  }

  private render(final: boolean): string {
    const seconds = this.reporter.elapsedMs(this.startedAt) / 1000;
    const parts = [this.name];
    parts.push(
      this.totalCount !== undefined
        ? `${formatCount(this.doneCount)}/${formatCount(this.totalCount)}`
        : formatCount(this.doneCount),
    );
    const rate = seconds > 0.05 ? this.doneCount / seconds : 0;
    if (rate > 0) parts.push(`${formatCount(rate < 10 ? round(rate, 1) : Math.round(rate))}/s`);
    if (final) parts.push(`in ${formatDuration(seconds)}`);
    else if (this.totalCount !== undefined && rate > 0 && this.doneCount < this.totalCount) {
      parts.push(`ETA ${formatDuration((this.totalCount - this.doneCount) / rate)}`);
    } else if (rate === 0) parts.push(formatDuration(seconds));
    if (this.failedCount > 0) parts.push(`${formatCount(this.failedCount)} failed`);
    return parts.join('  ');
  }
}

/** A reporter for a command's flags: JSON lines with `--json` or off a terminal, live otherwise. */
export function progressFor(flags: { json?: boolean }, options: ProgressOptions = {}) {
  return new ProgressReporter({ json: flags.json ?? false, ...options });
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)}s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
