/**
 * How caption and prompt text is normalised and cut into pre-tokens before byte-pair merging (docs/TEXT_TOKENIZER.md).
 * Changing anything here changes every tokenizer trained with it: bump TEXT_TOKENIZER_VERSION.
 */

/** Marks the start of each pre-token, so decoding knows where the pieces of one word end. */
export const WORD_START = '\u2581';
/** Longer pre-tokens are cut into pieces of this many characters (keeps merging cheap on hostile input). */
export const MAX_PIECE_CHARS = 32;

/**
 * NFKC, lower case, typographic quotes to ASCII, sharp and flat signs to "#" and "b", control and format characters
 * dropped, and our word-start mark read as a space.
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{Cc}\p{Cf}\p{Cs}]/gu, ' ')
    .replace(/[‘’‛′`´]/g, "'")
    .replace(/[“”„‟″]/g, '"')
    .replace(/♯/g, '#')
    .replace(/♭/g, 'b')
    .replace(/\u2581/g, ' ');
}

/**
 * Pre-tokens, tried in this order at each position:
 * 1. a meter or fraction "3/4", "6/8", "12/8";
 * 2. a hyphenated compound "8-bit", "lo-fi", "hip-hop", "sci-fi" (kept whole, digits included);
 * 3. a word of letters, optionally starting with a note name and sharp ("c#", "f#m") and with inner apostrophes;
 * 4. a run of digits ("90bpm" gives "90" then "bpm");
 * 5. any other single character: punctuation, symbols, emoji.
 */
const PRE_TOKEN =
  /\p{Nd}{1,2}\/\p{Nd}{1,2}(?![\p{Nd}/])|[\p{L}\p{M}\p{Nd}]+(?:-[\p{L}\p{M}\p{Nd}]+)+|(?:[a-g]#|\p{L})[\p{L}\p{M}]*(?:'[\p{L}\p{M}]+)*|\p{Nd}+|\S/gu;

/** The pre-tokens of normalised text, each prefixed with WORD_START, long ones cut into unmarked continuation pieces. */
export function* preTokenize(normalized: string): Generator<string> {
  for (const match of normalized.matchAll(PRE_TOKEN)) {
    const chars = [...match[0]];
    for (let start = 0; start < chars.length; start += MAX_PIECE_CHARS) {
      yield (start === 0 ? WORD_START : '') + chars.slice(start, start + MAX_PIECE_CHARS).join('');
    }
  }
}
