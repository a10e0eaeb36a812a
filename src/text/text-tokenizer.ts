/**
 * The text tokenizer for captions and prompts: normalisation and pre-tokenization (text-normalization.ts), then
 * byte-pair merges learned from a corpus of captions, with a byte fallback so that any input encodes. The whole
 * tokenizer is data (alphabet + merges) saved as a versioned JSON file; its hash goes into the dataset index and the
 * model manifest. The rules are documented in docs/TEXT_TOKENIZER.md.
 *
 * Training counts pair frequencies over distinct pre-tokens weighted by how often each occurs, and after each merge
 * revisits only the words that contain the merged pair; a max-heap with lazy deletion finds the next pair. Ties go to
 * the pair of lower ids (older pieces first), so the same corpus always gives the same tokenizer.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { MAX_PIECE_CHARS, WORD_START, normalizeText, preTokenize } from './normalization.ts';

export { normalizeText, preTokenize } from './normalization.ts';

export const TEXT_TOKENIZER_FORMAT = 'motif-text-tokenizer';
export const TEXT_TOKENIZER_VERSION = 1;

export const PAD = 0;
export const BOS = 1;
/** Reserved; never produced, because every character has a byte fallback. */
export const UNK = 2;
const SPECIAL_NAMES = ['<pad>', '<bos>', '<unk>'];
const BYTE_OFFSET = SPECIAL_NAMES.length;
const FIRST_SYMBOL = BYTE_OFFSET + 256;

/** Characters read from the input for each output token asked for; the rest of a huge input is never looked at. */
const INPUT_CHARS_PER_TOKEN = 64;
export const DEFAULT_TEXT_VOCAB_SIZE = 4000;
export const DEFAULT_MAX_TEXT_TOKENS = 64;

/** Input cut to a length that can yield `maxTokens` tokens, without splitting a surrogate pair. */
function boundedInput(text: string, maxTokens: number): string {
  const limit = Math.max(1024, maxTokens * INPUT_CHARS_PER_TOKEN);
  if (text.length <= limit) return text;
  const end = /[\uD800-\uDBFF]/.test(text[limit - 1]) ? limit - 1 : limit;
  return text.slice(0, end);
}

const textTokenizerJson = z.object({
  format: z.literal(TEXT_TOKENIZER_FORMAT),
  version: z.literal(TEXT_TOKENIZER_VERSION),
  normalization: z.literal('nfkc-lower-1'),
  maxPieceChars: z.literal(MAX_PIECE_CHARS),
  specials: z.tuple([z.literal('<pad>'), z.literal('<bos>'), z.literal('<unk>')]),
  byteFallback: z.literal(true),
  alphabet: z.array(z.string()),
  merges: z.array(z.tuple([z.string(), z.string()])),
});

export type TextTokenizerJson = z.infer<typeof textTokenizerJson>;

/** Punctuation that decoding attaches to the text before it, and openers that the next text attaches to. */
const ATTACH_LEFT = new Set(['.', ',', '!', '?', ':', ';', ')', ']', '}', '%']);
const ATTACH_RIGHT = new Set(['(', '[', '{']);
const WORD_CACHE_LIMIT = 50_000;

export class TextTokenizer {
  readonly alphabet: readonly string[];
  readonly merges: ReadonlyArray<readonly [string, string]>;
  /** Token strings by id; byte tokens are named <0xNN> and never looked up by string. */
  private readonly pieces: string[];
  private readonly symbolIds = new Map<string, number>();
  /** Pair key -> [rank, merged id]. */
  private readonly mergeRanks = new Map<number, [number, number]>();
  private readonly cache = new Map<string, number[]>();
  readonly hash: string;

  private constructor(alphabet: readonly string[], merges: ReadonlyArray<readonly [string, string]>) {
    this.alphabet = alphabet;
    this.merges = merges;
    this.pieces = [...SPECIAL_NAMES];
    for (let byte = 0; byte < 256; byte++) this.pieces.push(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
    for (const symbol of alphabet) {
      if (this.symbolIds.has(symbol)) throw new Error(`text tokenizer: "${symbol}" is twice in the alphabet`);
      this.addPiece(symbol);
    }
    merges.forEach(([left, right], rank) => {
      const leftId = this.symbolIds.get(left);
      const rightId = this.symbolIds.get(right);
      if (leftId === undefined || rightId === undefined) throw new Error(`text tokenizer: merge ${rank} uses an unknown piece`);
      const merged = this.symbolIds.get(left + right) ?? this.addPiece(left + right);
      const key = pairKey(leftId, rightId);
      if (!this.mergeRanks.has(key)) this.mergeRanks.set(key, [rank, merged]);
    });
    this.hash = createHash('sha256').update(JSON.stringify(this.toJSON())).digest('hex').slice(0, 16);
  }

  static fromJSON(json: unknown): TextTokenizer {
    const parsed = textTokenizerJson.parse(json);
    return new TextTokenizer(parsed.alphabet, parsed.merges);
  }

  /** Used by training; the alphabet and merges must already be consistent. */
  static fromParts(alphabet: readonly string[], merges: ReadonlyArray<readonly [string, string]>): TextTokenizer {
    return new TextTokenizer(alphabet, merges);
  }

  get vocabSize(): number {
    return this.pieces.length;
  }

  /** The token string of an id: a piece, "<0xNN>" for a byte, or a special token's name. */
  piece(id: number): string {
    const piece = this.pieces[id];
    if (piece === undefined) throw new RangeError(`text token id ${id} is outside the vocabulary of ${this.pieces.length}`);
    return piece;
  }

  /** BOS, then the tokens of the text, at most `maxTokens` ids in all. Empty text gives [BOS]. */
  encode(text: string, maxTokens = DEFAULT_MAX_TEXT_TOKENS): number[] {
    if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new RangeError(`maxTokens must be a positive integer, not ${maxTokens}`);
    const ids = [BOS];
    for (const word of preTokenize(normalizeText(boundedInput(text, maxTokens)))) {
      for (const id of this.encodeWord(word)) {
        if (ids.length >= maxTokens) return ids;
        ids.push(id);
      }
    }
    return ids;
  }

  /** Normalised text back from ids: pre-tokens joined by single spaces, punctuation attached as written. */
  decode(ids: readonly number[]): string {
    const words: string[] = [];
    let bytes: number[] = [];
    const flushBytes = () => {
      if (bytes.length === 0) return;
      appendToWord(words, new TextDecoder().decode(new Uint8Array(bytes)));
      bytes = [];
    };
    for (const id of ids) {
      const piece = this.piece(id);
      if (id === PAD || id === BOS) continue;
      if (id >= BYTE_OFFSET && id < FIRST_SYMBOL) {
        bytes.push(id - BYTE_OFFSET);
        continue;
      }
      flushBytes();
      if (id === UNK) appendToWord(words, '\uFFFD');
      else if (piece.startsWith(WORD_START)) {
        words.push('');
        appendToWord(words, piece.slice(WORD_START.length));
      } else appendToWord(words, piece);
    }
    flushBytes();
    let text = '';
    words.forEach((word, i) => {
      const separate = i > 0 && !ATTACH_LEFT.has(word) && !ATTACH_RIGHT.has(words[i - 1]);
      text += (separate ? ' ' : '') + word;
    });
    return text;
  }

  toJSON(): TextTokenizerJson {
    return {
      format: TEXT_TOKENIZER_FORMAT,
      version: TEXT_TOKENIZER_VERSION,
      normalization: 'nfkc-lower-1',
      maxPieceChars: MAX_PIECE_CHARS,
      specials: ['<pad>', '<bos>', '<unk>'],
      byteFallback: true,
      alphabet: [...this.alphabet],
      merges: this.merges.map(([left, right]) => [left, right] as [string, string]),
    };
  }

  /** Ids of one pre-token: its characters (bytes for those outside the alphabet), merged by rank. */
  private encodeWord(word: string): number[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    let symbols = this.initialSymbols(word);
    for (;;) {
      let best: [number, number] | undefined;
      let bestKey = -1;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = pairKey(symbols[i], symbols[i + 1]);
        const merge = this.mergeRanks.get(key);
        if (merge && (!best || merge[0] < best[0])) {
          best = merge;
          bestKey = key;
        }
      }
      if (!best) break;
      symbols = mergePair(symbols, bestKey, best[1]);
    }
    if (this.cache.size >= WORD_CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, symbols);
    return symbols;
  }

  private initialSymbols(word: string): number[] {
    const symbols: number[] = [];
    const encoder = new TextEncoder();
    for (const char of word) {
      const id = this.symbolIds.get(char);
      if (id !== undefined) symbols.push(id);
      else for (const byte of encoder.encode(char)) symbols.push(BYTE_OFFSET + byte);
    }
    return symbols;
  }

  private addPiece(piece: string): number {
    const id = this.pieces.length;
    this.pieces.push(piece);
    this.symbolIds.set(piece, id);
    return id;
  }
}

function appendToWord(words: string[], text: string): void {
  if (words.length === 0) words.push('');
  words[words.length - 1] += text;
}

/** Ids stay below 2^21, so a pair fits exactly in a double. */
function pairKey(left: number, right: number): number {
  return left * 0x200000 + right;
}

/** The symbols with every non-overlapping occurrence of the pair (left to right) replaced by `merged`. */
function mergePair(symbols: readonly number[], key: number, merged: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (i + 1 < symbols.length && pairKey(symbols[i], symbols[i + 1]) === key) {
      out.push(merged);
      i += 1;
    } else out.push(symbols[i]);
  }
  return out;
}

export interface TextTokenizerTrainingOptions {
  /** Total ids including the 3 specials and 256 byte tokens (default 4,000). */
  vocabSize?: number;
  /** A character enters the alphabet when it occurs this often in the corpus (rarer ones fall back to bytes). */
  minCharCount?: number;
  /** Merging stops when the best pair occurs fewer times than this. */
  minPairCount?: number;
}

/** Printable ASCII that survives lower-casing: always in the alphabet, so typed ASCII never needs byte tokens. */
const ASCII_ALPHABET = Array.from({ length: 0x7e - 0x20 }, (_, i) => String.fromCharCode(0x21 + i)).filter((c) => !/[A-Z]/.test(c));

export function trainTextTokenizer(corpus: Iterable<string>, options: TextTokenizerTrainingOptions = {}): TextTokenizer {
  const vocabSize = options.vocabSize ?? DEFAULT_TEXT_VOCAB_SIZE;
  const minCharCount = options.minCharCount ?? 2;
  const minPairCount = options.minPairCount ?? 2;
  if (!Number.isInteger(vocabSize) || vocabSize > 0x200000) throw new RangeError(`vocabSize ${vocabSize} is not a usable size`);

  const wordCounts = new Map<string, number>();
  for (const text of corpus) {
    for (const word of preTokenize(normalizeText(text))) wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1);
  }
  const alphabet = chooseAlphabet(wordCounts, minCharCount);
  if (FIRST_SYMBOL + alphabet.length > vocabSize) {
    throw new RangeError(`vocabSize ${vocabSize} is smaller than the ${FIRST_SYMBOL + alphabet.length} fixed ids and characters`);
  }

  // Pieces are numbered from 0 here (alphabet first, then merged pieces); byte fallbacks are -1 and never merge.
  const pieces = [...alphabet];
  const pieceIds = new Map(pieces.map((piece, id) => [piece, id]));
  const words: number[][] = [];
  const counts: number[] = [];
  for (const word of [...wordCounts.keys()].sort()) {
    words.push([...word].map((char) => pieceIds.get(char) ?? -1));
    counts.push(wordCounts.get(word)!);
  }

  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const heap = new PairHeap();
  const addPairs = (wordIndex: number, sign: 1 | -1, changed: Map<number, number>) => {
    const symbols = words[wordIndex];
    for (let i = 0; i + 1 < symbols.length; i++) {
      if (symbols[i] < 0 || symbols[i + 1] < 0) continue;
      const key = pairKey(symbols[i], symbols[i + 1]);
      changed.set(key, (changed.get(key) ?? 0) + sign * counts[wordIndex]);
      if (sign > 0) {
        let holders = pairWords.get(key);
        if (!holders) pairWords.set(key, (holders = new Set()));
        holders.add(wordIndex);
      }
    }
  };
  const applyChanges = (changed: Map<number, number>) => {
    for (const [key, delta] of changed) {
      if (delta === 0) continue;
      const count = (pairCounts.get(key) ?? 0) + delta;
      pairCounts.set(key, count);
      if (count > 0) heap.push(count, key);
    }
  };

  const initial = new Map<number, number>();
  words.forEach((_, wordIndex) => addPairs(wordIndex, 1, initial));
  applyChanges(initial);

  const merges: Array<[string, string]> = [];
  let vocabularyIds = FIRST_SYMBOL + pieces.length;
  while (vocabularyIds < vocabSize) {
    const best = heap.popCurrent(pairCounts);
    if (!best || best.count < minPairCount) break;
    const left = Math.floor(best.key / 0x200000);
    const right = best.key % 0x200000;
    const mergedText = pieces[left] + pieces[right];
    let merged = pieceIds.get(mergedText);
    if (merged === undefined) {
      merged = pieces.length;
      pieces.push(mergedText);
      pieceIds.set(mergedText, merged);
      vocabularyIds += 1;
    }
    merges.push([pieces[left], pieces[right]]);
    const changed = new Map<number, number>();
    for (const wordIndex of pairWords.get(best.key) ?? []) {
      const symbols = words[wordIndex];
      const next = mergePair(symbols, best.key, merged);
      if (next.length === symbols.length) continue;
      addPairs(wordIndex, -1, changed);
      words[wordIndex] = next;
      addPairs(wordIndex, 1, changed);
    }
    pairWords.delete(best.key);
    applyChanges(changed);
  }
  return TextTokenizer.fromParts(alphabet, merges);
}

/** WORD_START, printable ASCII, and every corpus character seen at least `minCount` times, in code point order. */
function chooseAlphabet(wordCounts: ReadonlyMap<string, number>, minCount: number): string[] {
  const charCounts = new Map<string, number>();
  for (const [word, count] of wordCounts) for (const char of word) charCounts.set(char, (charCounts.get(char) ?? 0) + count);
  const chosen = new Set([WORD_START, ...ASCII_ALPHABET]);
  for (const [char, count] of charCounts) if (count >= minCount) chosen.add(char);
  return [...chosen].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
}

/** A binary max-heap of (count, pair key); stale entries are skipped when popped. */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** The best entry whose count is still the pair's current count, or undefined when none is left. */
  popCurrent(current: ReadonlyMap<number, number>): { count: number; key: number } | undefined {
    while (this.counts.length > 0) {
      const count = this.counts[0];
      const key = this.keys[0];
      this.removeTop();
      if (current.get(key) === count) return { count, key };
    }
    return undefined;
  }

  private removeTop(): void {
    const lastCount = this.counts.pop()!;
    const lastKey = this.keys.pop()!;
    if (this.counts.length === 0) return;
    this.counts[0] = lastCount;
    this.keys[0] = lastKey;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let top = i;
      if (left < this.counts.length && this.before(left, top)) top = left;
      if (right < this.counts.length && this.before(right, top)) top = right;
      if (top === i) return;
      this.swap(i, top);
      i = top;
    }
  }

  /** Higher count first; on a tie, the lower pair key. */
  private before(a: number, b: number): boolean {
    return this.counts[a] > this.counts[b] || (this.counts[a] === this.counts[b] && this.keys[a] < this.keys[b]);
  }

  private swap(a: number, b: number): void {
    [this.counts[a], this.counts[b]] = [this.counts[b], this.counts[a]];
    [this.keys[a], this.keys[b]] = [this.keys[b], this.keys[a]];
  }
}
