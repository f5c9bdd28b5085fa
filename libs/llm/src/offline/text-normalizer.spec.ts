import { describe, expect, it } from 'vitest';
import { countWords, normalizeText, stem, stemPhrase, tokenize } from './text-normalizer';

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
  ])('maps inflections of "%s" onto one key', (...forms) => {
    expect(new Set(forms.map(stem)).size).toBe(1);
  });

  it('leaves short and vowel-less words alone', () => {
    expect(stem('is')).toBe('is');
    expect(stem('string')).toBe('string');
    expect(stem('this')).toBe('this');
  });
});

describe('tokenize / normalizeText', () => {
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
