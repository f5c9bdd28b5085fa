import { describe, expect, it } from 'vitest';
import { normalizedWords, normalizeText, stemWord, wordTokens } from './text-normalizer';

describe('text normaliser', () => {
  it('applies NFKC, lowercases and unifies apostrophes', () => {
    expect(normalizeText('Ｃａｒｄ ﬁle')).toBe('card file');
    expect(normalizeText('Don’t')).toBe("don't");
  });

  it('strips punctuation and folds numbers', () => {
    expect(normalizedWords('Hello, world!!! (again)')).toBe('hello world again');
    expect(wordTokens('I paid 250 dollars on 12/03')).toEqual([
      'i',
      'paid',
      '0',
      'dollar',
      'on',
      '0',
      '0',
    ]);
  });

  it('stems inflections onto one key', () => {
    expect(stemWord('cards')).toBe('card');
    expect(stemWord("card's")).toBe('card');
    expect(stemWord('charged')).toBe(stemWord('charging'));
    expect(stemWord('charged')).toBe(stemWord('charge'));
    expect(stemWord('stopped')).toBe('stop');
    expect(stemWord('companies')).toBe(stemWord('company'));
    expect(stemWord('quickly')).toBe('quick');
  });

  it('leaves short words and stop words alone', () => {
    expect(stemWord('is')).toBe('is');
    expect(stemWord('bus')).toBe('bus');
    expect(stemWord('this')).toBe('this');
  });
});
