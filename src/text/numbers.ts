/**
 * Whole numbers 0-99 in English words: written by the caption writer ("sixty-four bars") and read back by the prompt
 * parser and the change-instruction parser ("sixteen measures", "up three semitones").
 */

const SMALL_NUMBER_WORDS: readonly string[] = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven',
  'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen',
  'nineteen'];
const TENS_WORDS: readonly string[] = ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** 0-99 in words ("sixty-four"), undefined beyond. */
export function numberWord(n: number): string | undefined {
  if (!Number.isInteger(n) || n < 0 || n > 99) return undefined;
  if (n < 20) return SMALL_NUMBER_WORDS[n];
  const ones = n % 10;
  return TENS_WORDS[Math.floor(n / 10) - 2] + (ones ? `-${SMALL_NUMBER_WORDS[ones]}` : '');
}

/**
 * A regex source matching 0-99 in words, lower case: "sixty-four", "sixty four", "nineteen". Longer words are tried
 * first, so "seventeen" is not read as "seven".
 */
export const NUMBER_WORD_PATTERN = `(?:(?:${TENS_WORDS.join('|')})(?:[\\s-](?:${SMALL_NUMBER_WORDS.slice(1, 10).join('|')}))?|${[...SMALL_NUMBER_WORDS].reverse().join('|')})`;

/** A regex source matching the words from `from` to `to` (both at most nineteen), longest first: "one|two|...". */
export function smallNumberWordPattern(from: number, to: number): string {
  return SMALL_NUMBER_WORDS.slice(from, to + 1).reverse().join('|');
}

/** The value of digits ("16", "-2.5") or a number word ("sixteen", "sixty-four"; "a" and "an" are 1); NaN otherwise. */
export function numberValue(text: string): number {
  const word = text.trim().toLowerCase();
  if (/^-?\d/.test(word)) return Number(word);
  if (word === 'a' || word === 'an') return 1;
  const [tens, ones] = word.split(/[\s-]+/);
  const tensIndex = TENS_WORDS.indexOf(tens);
  if (tensIndex >= 0) return (tensIndex + 2) * 10 + (ones ? SMALL_NUMBER_WORDS.indexOf(ones) : 0);
  const small = SMALL_NUMBER_WORDS.indexOf(word);
  return small >= 0 ? small : NaN;
}
