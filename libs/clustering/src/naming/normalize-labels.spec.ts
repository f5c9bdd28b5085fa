import { describe, expect, it } from 'vitest';
import { canonicalLabels, foldLabel, type LabelCount } from './normalize-labels';
import { singularize } from './text-terms';

describe('foldLabel', () => {
  it('lowercases, trims, strips punctuation and singularises', () => {
    expect(foldLabel('  Python Scripts! ')).toBe('python script');
    expect(foldLabel('Drafting e-mails, quickly.')).toBe('drafting e-mail quickly');
    expect(foldLabel('Customer queries')).toBe('customer query');
    expect(foldLabel('Tax boxes')).toBe('tax box');
    expect(foldLabel('analysis')).toBe('analysis');
    expect(foldLabel('!!!')).toBe('');
  });

  it('keeps C++ and C# apart from C', () => {
    expect(new Set([foldLabel('C++'), foldLabel('C#'), foldLabel('C')]).size).toBe(3);
  });

  it('singularises common plurals and leaves non-plurals alone', () => {
    expect(
      ['scripts', 'queries', 'taxes', 'classes', 'people', 'news', 'status', 'bus'].map(
        singularize,
      ),
    ).toEqual(['script', 'query', 'tax', 'class', 'person', 'news', 'status', 'bus']);
  });
});

describe('canonicalLabels', () => {
  const labels: LabelCount[] = [
    { label: 'Python', count: 40 },
    { label: 'python scripts', count: 12 },
    { label: 'Python script', count: 7 },
    { label: 'python', count: 3 },
    { label: 'marketing', count: 25 },
    { label: 'Marketing!', count: 2 },
    { label: 'user research', count: 9 },
    { label: 'market research', count: 8 },
  ];

  it('merges spelling, plural and subset variants and keeps unrelated labels apart', async () => {
    const map = await canonicalLabels(labels);
    expect(map.get('Python')).toBe('python');
    expect(map.get('python')).toBe('python');
    expect(map.get('python scripts')).toBe('python');
    expect(map.get('Python script')).toBe('python');
    expect(map.get('marketing')).toBe('marketing');
    expect(map.get('Marketing!')).toBe('marketing');
    // Jaccard {user, research} vs {market, research} = 1/3 < 0.5.
    expect(map.get('user research')).toBe('user research');
    expect(map.get('market research')).toBe('market research');
    expect(map.size).toBe(labels.length);
  });

  it('takes the most frequent member as the canonical label', async () => {
    const map = await canonicalLabels([
      { label: 'Python scripts', count: 50 },
      { label: 'python', count: 10 },
    ]);
    expect(map.get('python')).toBe('python scripts');
  });

  it('matches against the group leader only, so one label cannot chain two groups', async () => {
    const map = await canonicalLabels([
      { label: 'data entry', count: 30 },
      { label: 'data science', count: 20 },
      { label: 'data', count: 5 },
    ]);
    expect(map.get('data science')).toBe('data science');
    expect(map.get('data entry')).toBe('data entry');
    // "data" matches both leaders equally (Jaccard 0.5) and joins the more frequent one.
    expect(map.get('data')).toBe('data entry');
  });

  it('merges by embedding similarity when an embedder is given', async () => {
    // A toy embedder: "coding" and "scripting" point the same way, "marketing" elsewhere.
    const directions: Record<string, number[]> = {
      coding: [1, 0.1, 0],
      scripting: [0.95, 0.2, 0],
      marketing: [0, 0, 1],
    };
    const embed = async (texts: string[]) =>
      texts.map((t) => Float32Array.from(directions[t] ?? [0, 1, 0]));
    const input = [
      { label: 'Coding', count: 9 },
      { label: 'scripting', count: 4 },
      { label: 'marketing', count: 6 },
    ];
    const merged = await canonicalLabels(input, { embed });
    expect(merged.get('scripting')).toBe('coding');
    expect(merged.get('marketing')).toBe('marketing');
    const strict = await canonicalLabels(input, { embed, similarity: 0.999 });
    expect(strict.get('scripting')).toBe('scripting');
    const none = await canonicalLabels(input);
    expect(none.get('scripting')).toBe('scripting');
  });

  it('is deterministic under input order', async () => {
    const base = [...(await canonicalLabels(labels)).entries()].sort();
    for (let shift = 1; shift < labels.length; shift++) {
      const rotated = [...labels.slice(shift), ...labels.slice(0, shift)].reverse();
      expect([...(await canonicalLabels(rotated)).entries()].sort()).toEqual(base);
    }
  });

  it('maps labels that fold to nothing to themselves and rejects bad counts', async () => {
    const map = await canonicalLabels([{ label: '???', count: 1 }]);
    expect(map.get('???')).toBe('???');
    await expect(canonicalLabels([{ label: 'x', count: -1 }])).rejects.toThrow(RangeError);
  });
});
