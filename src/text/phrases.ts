/**
 * The phrase index: every phrase of the word tables (words.ts) with what it means, and the one way running words are
 * matched against it, used by the prompt parser, the change-instruction parser and the caption writer. A phrase is
 * matched as whole words, longest first, with hyphens and spaces interchangeable ("lo-fi" = "lo fi").
 */
import { GM_PROGRAM_NAMES } from '../music/instruments.ts';
import {
  DRUM_WORDS, GENERIC_GUITAR, GENRES, INSTRUMENT_ALIASES, LENGTH_WORDS, METER_WORDS, MOODS, NO_DRUM_WORDS,
  PARSER_ONLY_INSTRUMENT_ALIASES, PARSER_ONLY_MOOD_WORDS, TEMPO_WORDS, type LengthWord,
} from './words.ts';

/** What a phrase asks for. */
export interface PhraseEffects {
  /** GM programs (or GENERIC_GUITAR). */
  instruments?: number[];
  /** true: the phrase asks for drums; false: it asks for none. */
  drums?: boolean;
  genre?: string;
  mood?: string;
  /** A tempo word, a key of TEMPO_WORDS. */
  tempoWord?: string;
  /** A meter the phrase suggests (a waltz is in 3/4); an explicit "6/8" wins over it. */
  meter?: [number, number];
  /** A meter the phrase states outright ("common time"). */
  explicitMeter?: [number, number];
  length?: LengthWord;
  /** "solo": with an instrument it means no drums, unless drums are asked for. */
  solo?: boolean;
}

/** Lower case, apostrophes dropped, hyphens as spaces: the form phrases are matched in. */
function phraseKey(phrase: string): string {
  return phrase.toLowerCase().replace(/['’]/g, '').split(/[\s-]+/).filter(Boolean).join(' ');
}

export interface PhraseEntry {
  phrase: string;
  effects: PhraseEffects;
}

function buildPhraseIndex(): Map<string, PhraseEntry> {
  const index = new Map<string, PhraseEntry>();
  const add = (phrase: string, effects: PhraseEffects) => {
    const key = phraseKey(phrase);
    if (index.has(key)) throw new Error(`vocabulary: "${phrase}" is defined twice`);
    index.set(key, { phrase, effects });
  };
  for (const table of [INSTRUMENT_ALIASES, PARSER_ONLY_INSTRUMENT_ALIASES]) {
    for (const [program, aliases] of Object.entries(table)) for (const alias of aliases) add(alias, { instruments: [Number(program)] });
  }
  // The GM names themselves ("acoustic guitar (nylon)" is read as "acoustic guitar nylon").
  GM_PROGRAM_NAMES.forEach((name, program) => {
    const key = phraseKey(name.replace(/[()]/g, ' ').replace(/\+/g, ' '));
    if (!index.has(key)) add(key, { instruments: [program] });
  });
  add('guitar', { instruments: [GENERIC_GUITAR] });
  add('808', { instruments: [38], drums: true });
  add('808s', { instruments: [38], drums: true });
  add('string quartet', { instruments: [40, 41, 42] });
  for (const [genre, entry] of Object.entries(GENRES)) {
    for (const alias of [...entry.aliases, ...(entry.narrower ?? [])]) {
      add(alias, { genre, meter: entry.meter, instruments: entry.instruments, drums: entry.drums });
    }
  }
  for (const table of [MOODS, PARSER_ONLY_MOOD_WORDS]) {
    for (const [mood, aliases] of Object.entries(table)) for (const alias of aliases) add(alias, { mood });
  }
  for (const [word, entry] of Object.entries(TEMPO_WORDS)) {
    for (const alias of entry.aliases) add(alias, { tempoWord: word, mood: entry.mood });
  }
  for (const word of DRUM_WORDS) add(word, { drums: true });
  for (const word of NO_DRUM_WORDS) add(word, { drums: false });
  add('four on the floor', { drums: true, meter: [4, 4] });
  for (const [phrase, meter] of Object.entries(METER_WORDS)) add(phrase, { explicitMeter: meter, genre: phrase === 'waltz time' ? 'waltz' : undefined });
  for (const word of Object.keys(LENGTH_WORDS) as LengthWord[]) add(word, { length: word });
  add('solo', { solo: true });
  add('unaccompanied', { solo: true });
  return index;
}

/** Every phrase the parser knows, by phraseKey. */
export const PHRASES: ReadonlyMap<string, PhraseEntry> = buildPhraseIndex();
export const LONGEST_PHRASE_WORDS = Math.max(...[...PHRASES.keys()].map((key) => key.split(' ').length));

/** The effects of a phrase, or undefined when the vocabulary does not know it. */
export function phraseEffects(phrase: string): PhraseEffects | undefined {
  return lookupPhrase(phraseKey(phrase).split(' '))?.effects;
}

/** The phrase these words spell, trying a plural's singular too ("violins", "808s"). */
export function lookupPhrase(words: readonly string[]): PhraseEntry | undefined {
  const key = phraseKey(words.join(' '));
  const exact = PHRASES.get(key);
  if (exact || !key.endsWith('s') || key.endsWith('ss')) return exact;
  return PHRASES.get(key.slice(0, -1)) ?? (key.endsWith('es') ? PHRASES.get(key.slice(0, -2)) : undefined);
}

/** The words of a text as the parser sees them: lower case, hyphens and apostrophes dropped, punctuation kept out. */
export function phraseWords(text: string): string[] {
  return text.toLowerCase().replace(/['’]/g, '').match(/[a-z0-9&]+/g) ?? [];
}

export interface PhraseMatch {
  entry: PhraseEntry;
  /** How many words the phrase takes. */
  length: number;
}

/**
 * The longest known phrase that starts at words[start] and takes at most `maxWords` words, or undefined when not
 * even words[start] alone is one. The parsers call it word by word, so a phrase always wins over the shorter phrases
 * inside it ("jazz guitar" is one instrument, not the genre and a guitar).
 */
export function longestPhraseAt(words: readonly string[], start: number, maxWords = LONGEST_PHRASE_WORDS): PhraseMatch | undefined {
  for (let length = Math.min(LONGEST_PHRASE_WORDS, maxWords, words.length - start); length >= 1; length--) {
    const entry = lookupPhrase(words.slice(start, start + length));
    if (entry) return { entry, length };
  }
  return undefined;
}

/**
 * How the parser splits running words into phrases: known phrases by key, other words as themselves. The caption
 * writer checks with it that two phrases it puts side by side stay two phrases ("jazz" + "guitar" would be read as
 * the one instrument "jazz guitar").
 */
export function segmentPhrases(text: string): string[] {
  const words = phraseWords(text);
  const segments: string[] = [];
  for (let i = 0; i < words.length; ) {
    const match = longestPhraseAt(words, i);
    segments.push(match ? `[${match.entry.phrase}]` : words[i]);
    i += match?.length ?? 1;
  }
  return segments;
}
