import { describe, expect, it } from 'vitest';
import { formatDuration, ProgressReporter, type ProgressStream } from './progress';

function capture(isTTY: boolean): ProgressStream & { text: () => string } {
  const chunks: string[] = [];
  return {
    isTTY,
    columns: 80,
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
    text: () => chunks.join(''),
  };
}

function clock() {
  let ms = 0;
  return { now: () => ms, tick: (by: number) => (ms += by) };
}

describe('ProgressReporter', () => {
  it('off a terminal writes one JSON line per stage and nothing live', () => {
    const stream = capture(false);
    const time = clock();
    const progress = new ProgressReporter({ stream, now: time.now });
    const ingest = progress.stage('ingest', 1000);
    for (let i = 0; i < 10; i++) {
      time.tick(200);
      ingest.advance(100, i === 3 ? 2 : 0);
    }
    ingest.finish({ duplicates: 7 });
    const cluster = progress.stage('clustering');
    time.tick(500);
    progress.close();

    const lines = stream.text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(stream.text()).not.toContain('\r');
    expect(JSON.parse(lines[0]!)).toEqual({
      progress: 'ingest',
      done: 1000,
      total: 1000,
      failed: 2,
      seconds: 2,
      rate: 500,
      duplicates: 7,
    });
    expect(JSON.parse(lines[1]!)).toMatchObject({
      progress: 'clustering',
      done: 0,
      total: null,
      rate: null,
      interrupted: true,
    });
    expect(cluster.finished).toBe(true);
  });

  it('--json on a terminal also writes JSON lines', () => {
    const stream = capture(true);
    const progress = new ProgressReporter({ stream, json: true, now: clock().now });
    progress.stage('tagging', 3).finish();
    expect(JSON.parse(stream.text())).toMatchObject({ progress: 'tagging', total: 3 });
    expect(progress.isLive).toBe(false);
  });

  it('on a terminal redraws one line with rate, ETA and failures, throttled', () => {
    const stream = capture(true);
    const time = clock();
    const progress = new ProgressReporter({ stream, now: time.now, refreshMs: 100 });
    const stage = progress.stage('tagging', 10_000);
    time.tick(2000);
    stage.update(4000, 3);
    const afterFirst = stream.text();
    stage.advance(1); // within 100 ms of the last draw: not redrawn
    expect(stream.text()).toBe(afterFirst);
    time.tick(1000);
    stage.update(6000, 3);
    const redraws = stream.text().split('\r\x1b[2K');
    const last = redraws[redraws.length - 1]!;
    expect(last).toBe('tagging  6,000/10,000  2,000/s  ETA 2.0s  3 failed');
    stage.finish();
    expect(stream.text().endsWith('tagging  6,000/10,000  2,000/s  in 3.0s  3 failed\n')).toBe(
      true,
    );
    expect(stream.text()).not.toContain('{');
  });

  it('a new stage finishes the open one, and silent writes nothing', () => {
    const stream = capture(false);
    const progress = new ProgressReporter({ stream, now: clock().now });
    const first = progress.stage('one', 1);
    progress.stage('two', 1).finish();
    expect(first.finished).toBe(true);
    expect(stream.text().trim().split('\n')).toHaveLength(2);

    const quiet = capture(false);
    const silent = new ProgressReporter({ stream: quiet, silent: true });
    silent.stage('x', 1).finish();
    expect(quiet.text()).toBe('');
  });

  it('formats durations', () => {
    expect(formatDuration(3.21)).toBe('3.2s');
    expect(formatDuration(42.4)).toBe('42s');
    expect(formatDuration(125)).toBe('2m05s');
    expect(formatDuration(3 * 3600 + 61)).toBe('3h01m');
    expect(formatDuration(Number.NaN)).toBe('?');
  });
});
