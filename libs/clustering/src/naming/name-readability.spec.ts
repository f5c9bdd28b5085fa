import { describe, expect, it } from 'vitest';
import { keywordListVerdict, looksLikeKeywordList, stem } from './name-readability';

describe('keywordListVerdict', () => {
  it.each([
    ['booking · reserve · book', 'separator'],
    ['travel transportation · finding · look', 'separator'],
    ['cards, payments', 'separator'],
    ['refunds / returns', 'separator'],
    ['Booking tables for dinner with family and friends', 'too-long'],
    ['cards card', 'repeated-stem'],
    ['booking reserve book', 'repeated-stem'],
    ['Finding movies and', 'dangling-connector'],
    ['of cards', 'dangling-connector'],
    ['travel transportation finding look', 'stray-verb'],
    ['travel transportation hotel flight', 'noun-pile'],
  ] as const)('flags %j (%s)', (name, reason) => {
    expect(keywordListVerdict(name)).toEqual({ keywordList: true, reason });
  });

  it.each([
    'Debugging Python scripts',
    'Drafting customer e-mails',
    'Booking restaurant tables',
    'restaurant booking',
    'Help with debugging',
    'Questions about exchange rates',
    'Travel & transportation',
    'Calculations in math',
    'Finding movies and events',
    'Online banking questions',
    'Finding rental car (2)',
    'Drafting customer support e-mail replies',
    'Miscellaneous',
  ])('reads %j as a phrase', (name) => {
    expect(looksLikeKeywordList(name)).toBe(false);
  });
});

describe('stem', () => {
  it('folds obvious variants of a word together', () => {
    expect(stem('booking')).toBe(stem('book'));
    expect(stem('cards')).toBe(stem('card'));
    expect(stem('reservation')).toBe(stem('reserve'));
    expect(stem('movies')).toBe(stem('movie'));
    expect(stem('queries')).toBe(stem('query'));
    expect(stem('debugging')).toBe(stem('debug'));
    expect(stem('coding')).toBe(stem('code'));
    expect(stem('transfering')).toBe(stem('transfer'));
  });

  it('keeps different words apart', () => {
    expect(stem('card')).not.toBe(stem('car'));
    expect(stem('restaurant')).not.toBe(stem('rest'));
    expect(stem('transfer')).not.toBe(stem('transform'));
  });
});
