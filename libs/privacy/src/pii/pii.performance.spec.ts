import { describe, expect, it } from 'vitest';
import { detectPii } from './pii.detector';

/**
 * Worst-case inputs for regex backtracking. Catastrophic backtracking on 100k characters shows
 * up as many seconds or minutes, while a linear scan takes milliseconds to a few hundred on a
 * busy shared machine (538 ms was seen with four test runs in parallel). The 2 s budget only
 * catches the former; the best of three runs is taken. Throughput is measured by
 * `npm run eval -- pii`, not here.
 */
function bestOfThree(run: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    run();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const ADVERSARIAL: Array<[string, string]> = [
  ['100k letters', 'a'.repeat(100_000)],
  ['100k digits', '1'.repeat(100_000)],
  ['100k @ signs', '@'.repeat(100_000)],
  ['100k dots', '.'.repeat(100_000)],
  ['100k colons', ':'.repeat(100_000)],
  ['letters and @', 'a@'.repeat(50_000)],
  ['digit groups', '1 '.repeat(50_000)],
  ['dashed digits', '12-'.repeat(33_000)],
  ['capitalised words', 'Aaaa '.repeat(20_000)],
  ['one long capitalised word', 'A' + 'b'.repeat(100_000)],
  ['url-like', 'http://' + 'a'.repeat(100_000)],
  ['query params', 'https://x.io/?' + 'a=b&'.repeat(25_000)],
  ['base64 run', 'aB3'.repeat(33_000)],
  ['hex-colon run', 'ab:'.repeat(33_000)],
  ['street-like', '12 Main '.repeat(12_000)],
  ['IBAN-like', 'DE89 '.repeat(20_000)],
  ['PEM header without end', '-----BEGIN PRIVATE KEY-----' + 'A'.repeat(100_000)],
  ['dense names', 'Maria Garcia, '.repeat(8_000)],
  ['dense e-mails', 'a@b.co '.repeat(15_000)],
  ['dense phones', '(555) 123-4567 '.repeat(7_000)],
];

describe('detectPii performance', () => {
  it.each(ADVERSARIAL)('%s stays under 2 s', (_name, input) => {
    expect(bestOfThree(() => detectPii(input))).toBeLessThan(2000);
  });

  it('scans 1 MB of ordinary English in under 2 s', () => {
    const sentence =
      'Our team spent the afternoon debugging a flaky integration test, then drafted an email to a customer about the delayed release and planned next sprint. ';
    const text = sentence.repeat(Math.ceil(1_000_000 / sentence.length)); // about 1 MB
    expect(bestOfThree(() => detectPii(text))).toBeLessThan(2000);
  });
});
