import { describe, expect, it } from 'vitest';
import {
  countWords,
  normalizedWords,
  normalizeText,
  stem,
  stemPhrase,
  tokenize,
  wordTokens,
} from './text-normalizer';

describe('stem', () => {
  it.each([
    ['book', 'booking', 'booked', 'books'],
    ['debug', 'debugging', 'debugged', 'debugs'],
    ['movie', 'movies'],
    ['city', 'cities'],
    ['code', 'coding', 'coded', 'codes'],
    ['reserve', 'reserved', 'reserving', 'reserves'],
    ['plan', 'planning', 'planned', 'plans'],
    ['class', 'classes'],
    ['bus', 'buses'],
    ['card', 'cards', "card's"],
    ['charge', 'charged', 'charging'],
    ['company', 'companies'],
    ['quick', 'quickly'],
    ['stuff', 'stuffed'],
  ])('maps inflections of "%s" onto one key', (...forms) => {
    expect(new Set(forms.map(stem)).size).toBe(1);
  });

  it('leaves short words, vowel-less stems and stop words alone', () => {
    expect(stem('is')).toBe('is');
    expect(stem('string')).toBe('string');
    expect(stem('this')).toBe('this');
    expect(stem('does')).toBe('does');
    expect(stem('stopped')).toBe('stop');
  });
});

describe('tokenize / normalizeText', () => {
  it('applies NFKC, lowercases and unifies apostrophes', () => {
    expect(normalizeText('Ｃａｒｄ ﬁle')).toBe('card file');
    expect(normalizeText('Don’t')).toBe("don't");
    expect(normalizeText('don‘t donʼt don`t')).toBe("don't don't don't");
  });

  it('strips punctuation and folds numbers (the embedder’s view)', () => {
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

  it('keeps inner apostrophes and spells out symbol languages', () => {
    expect(tokenize(normalizeText('Don’t use C++ or C# here'))).toEqual([
      "don't",
      'use',
      'cplusplus',
      'or',
      'csharp',
      'here',
    ]);
    expect(stemPhrase('Booked a Table')).toEqual(['book', 'a', 'tabl']);
  });

  it('counts whitespace-separated words', () => {
    expect(countWords('  one two\tthree\nfour  ')).toBe(4);
    expect(countWords('')).toBe(0);
  });
});
