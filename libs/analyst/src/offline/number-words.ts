/** Numbers written as words in questions ("the two people", "last three weeks"). */
export const NUMBER_WORDS: Readonly<Record<string, number>> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  twelve: 12,
};

/** A number written in digits or as a word. */
export const numberOf = (word: string): number => NUMBER_WORDS[word.toLowerCase()] ?? Number(word);
