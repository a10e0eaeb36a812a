/**
 * The prompt parser: what a person typed ("lofi beat 90bpm in Am, no drums") as attributes the model can be
 * conditioned on. It understands everything the caption writer says (both read src/text/words.ts); the rest
 * of the text is left to the model. Impossible values come back as a sentence for the user, never as an exception.
 * docs/PROMPTS.md lists what is understood.
 */
import { MAX_BPM, MIN_BPM, TIME_SIGNATURES, timeSignatureIndex } from '../music/grid.ts';
import { instrumentName } from '../music/instruments.ts';
import { keyName, letterPitchClass, modeOf, type Key, type Mode } from '../music/keys.ts';
import { MAX_BARS } from '../tokens/vocab.ts';
import { NUMBER_WORD_PATTERN, numberValue } from './numbers.ts';
import { LONGEST_PHRASE_WORDS, longestPhraseAt } from './phrases.ts';
import { GENERIC_GUITAR, LENGTH_WORDS, TEMPO_WORDS, resolveGuitar, type LengthWord } from './words.ts';

export interface PromptAttributes {
  /** Whole BPM, MIN_BPM..MAX_BPM. */
  bpm?: number;
  /** A key of TEMPO_WORDS ("fast", "andante", ...). */
  tempoWord?: string;
  /** The BPM range a tempo word (or "90-110 bpm") implies, only when no single BPM was given. */
  tempoRange?: [number, number];
  key?: Key;
  /** A mode without a tonic ("something in a minor key"); absent when `key` is set. */
  mode?: Mode;
  /** One of TIME_SIGNATURES; a stated meter wins over one a genre suggests (waltz: 3/4). */
  timeSignature?: [number, number];
  /** GM programs 0-127; the drum kit is `drums`, not an instrument here. */
  instruments?: number[];
  drums?: boolean;
  bars?: number;
  seconds?: number;
  /** "short" or "long"; sets `bars` (LENGTH_WORDS) when no number of bars or seconds was given. */
  lengthWord?: LengthWord;
  genres?: string[];
  moods?: string[];
}

export type PromptResult = { ok: true; attributes: PromptAttributes } | { ok: false; error: string };

export const MIN_SECONDS = 1;
/**
 * The longest text the parser reads. Every entry point (the bot, `motif compose`, captions) goes through
 * parsePrompt, so this one check bounds them all; the bot asks for much less.
 */
export const MAX_PROMPT_CHARS = 2000;
/** Problems named one by one in a refusal; the rest are counted, so that a refusal stays short enough to post. */
const PROBLEMS_NAMED = 3;
/** Characters of the user's text quoted back in a problem. */
const QUOTE_CHARS = 40;
export const MAX_SECONDS = 600;
export { MAX_BARS };

/** Where a consumed span was: later patterns must not read across it. */
const CONSUMED = '\u0001';

/** The prompt as two aligned strings (as typed, and ASCII lower case), from which matched spans are blanked out. */
class PromptText {
  cased: string;
  lower: string;

  constructor(text: string) {
    this.cased = text;
    this.lower = text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
  }

  /**
   * Calls `handle` on each match of a global regex; a span is consumed when `handle` returns true. The spans are
   * blanked once the scan is over, in one pass: blanking each in turn would copy the whole text per match. Matches
   * of one scan never overlap, and handlers only look at text outside their own match, so they see the same thing.
   */
  scan(pattern: RegExp, handle: (match: RegExpExecArray, typed: string) => boolean, source: 'lower' | 'cased' = 'lower'): void {
    const consumed: Array<[number, number]> = [];
    for (const match of (source === 'lower' ? this.lower : this.cased).matchAll(pattern)) {
      const end = match.index + match[0].length;
      if (handle(match, this.cased.slice(match.index, end).trim())) consumed.push([match.index, end]);
    }
    if (consumed.length) {
      this.cased = blankSpans(this.cased, consumed);
      this.lower = blankSpans(this.lower, consumed);
    }
  }
}

/** The text with each span (in order, not overlapping) replaced by CONSUMED marks of the same length. */
function blankSpans(text: string, spans: Array<[number, number]>): string {
  const pieces: string[] = [];
  let at = 0;
  for (const [start, end] of spans) {
    pieces.push(text.slice(at, start), CONSUMED.repeat(end - start));
    at = end;
  }
  pieces.push(text.slice(at));
  return pieces.join('');
}

/**
 * Runs of whitespace as one character: a newline where the run had a line or other break (phrases do not join
 * across one), else a space. Every pattern below may then meet at most one whitespace character between two words,
 * so patterns with several optional gaps in a row cannot try a long run in many ways (that was cubic time).
 */
function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, (run) => (/^[ \t]+$/.test(run) ? ' ' : '\n'));
}

/** The user's words quoted back in a problem, cut short: a problem must not grow with what was typed. */
function quote(text: string): string {
  const clean = text.trim();
  return clean.length <= QUOTE_CHARS ? clean : `${clean.slice(0, QUOTE_CHARS - 1)}…`;
}

/** The first few problems and how many more: a refusal someone can read, short enough for any channel. */
export function summarizeProblems(problems: readonly string[]): string {
  const named = problems.slice(0, PROBLEMS_NAMED).join(' ');
  const rest = problems.length - PROBLEMS_NAMED;
  return rest > 0 ? `${named} (and ${rest} more ${rest === 1 ? 'problem' : 'problems'} like these)` : named;
}

function normalize(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/♯/g, '#')
    .replace(/♭/g, 'b')
    .replace(/\u{1D15F}/gu, '♩')
    .replace(/[‐‑‒–—―]/g, '-')
    .replace(/[‘’`]/g, "'")
    .replace(/\bw\/o\b/gi, 'without')
    .replace(/[()[\]{}]/g, ' ')
    .replace(/\u0001/g, ' ');
}

/**
 * A global pattern compiled once per process: the passes build their patterns from pieces, and compiling them on
 * every prompt cost more than running them.
 */
const compiledPatterns = new Map<string, RegExp>();
function globalPattern(source: string): RegExp {
  let pattern = compiledPatterns.get(source);
  if (!pattern) compiledPatterns.set(source, (pattern = new RegExp(source, 'g')));
  return pattern;
}

// ---- numbers ---------------------------------------------------------------------------------------------------

/** A number in digits or words ("16", "2.5", "sixteen", "sixty-four"). */
const NUMBER = `(?:\\d+(?:\\.\\d+)?|${NUMBER_WORD_PATTERN})`;

// ---- the parse -------------------------------------------------------------------------------------------------

/** What the passes found, before it is checked and tidied into PromptAttributes. */
interface Findings {
  errors: string[];
  bpm?: number;
  bpmRange?: [number, number];
  tempoWord?: string;
  key?: Key;
  mode?: Mode;
  meter?: [number, number];
  suggestedMeter?: [number, number];
  instruments: number[];
  /** The strongest drum statement so far: 3 = "no drums", 2 = drums asked for, 1 = "solo piano". */
  drumsLevel: number;
  drums?: boolean;
  solo: boolean;
  bars?: number;
  seconds?: number;
  lengthWord?: LengthWord;
  genres: string[];
  moods: string[];
}

/**
 * Reads a prompt. `maxLength` lowers the cap for a caller that takes less (the bot's /compose), and raises it for
 * the tests that time the parser on inputs past it.
 */
export function parsePrompt(text: string, { maxLength = MAX_PROMPT_CHARS }: { maxLength?: number } = {}): PromptResult {
  if (typeof text !== 'string' || text.trim() === '') {
    return { ok: false, error: 'The prompt is empty: describe the music you want, for example "sad piano in D minor, 80 BPM".' };
  }
  if (text.length > maxLength) {
    return { ok: false, error: `The prompt is too long (${text.length} characters): keep it to ${maxLength}.` };
  }
  const prompt = new PromptText(collapseWhitespace(normalize(text)));
  const found: Findings = { errors: [], instruments: [], drumsLevel: 0, solo: false, genres: [], moods: [] };
  stripChordProgressions(prompt);
  readTempo(prompt, found);
  readLength(prompt, found);
  readMeter(prompt, found);
  readKey(prompt, found);
  readPhrases(prompt, found);
  if (found.errors.length) return { ok: false, error: summarizeProblems(found.errors) };
  return { ok: true, attributes: tidy(found) };
}

function tidy(found: Findings): PromptAttributes {
  const attributes: PromptAttributes = {};
  if (found.bpm !== undefined) attributes.bpm = found.bpm;
  if (found.tempoWord) attributes.tempoWord = found.tempoWord;
  if (found.bpm === undefined) {
    const range = found.bpmRange ?? (found.tempoWord ? TEMPO_WORDS[found.tempoWord].range : undefined);
    if (range) attributes.tempoRange = [range[0], range[1]];
  }
  if (found.key) attributes.key = found.key;
  else if (found.mode) attributes.mode = found.mode;
  const meter = found.meter ?? found.suggestedMeter;
  if (meter) attributes.timeSignature = [meter[0], meter[1]];
  const instruments = [...new Set(found.instruments.map((id) => (id === GENERIC_GUITAR ? resolveGuitar(found.genres) : id)))];
  if (instruments.length) attributes.instruments = instruments;
  if (found.solo && instruments.length && found.drumsLevel < 1) found.drums = false;
  if (found.drums !== undefined) attributes.drums = found.drums;
  if (found.bars !== undefined) attributes.bars = found.bars;
  if (found.seconds !== undefined) attributes.seconds = found.seconds;
  if (found.lengthWord) {
    attributes.lengthWord = found.lengthWord;
    if (found.bars === undefined && found.seconds === undefined) attributes.bars = LENGTH_WORDS[found.lengthWord].bars;
  }
  if (found.genres.length) attributes.genres = found.genres;
  if (found.moods.length) attributes.moods = found.moods;
  return attributes;
}

// ---- chord progressions ----------------------------------------------------------------------------------------

const CHORD = '[A-G][#b]?(?:maj7|maj9|maj|min7|min|m7b5|m7|m9|m6|m|dim7|dim|aug|sus2|sus4|sus|add9|M7|7|9|11|13|6|5|\\+|°7?|ø7?)?(?:/[A-G][#b]?)?(?![A-Za-z0-9#+°ø])';
const CHORD_SEPARATOR = '(?:\\s*(?:,|-|\\||→|->|>)\\s*|\\s+(?:and|then|to)\\s+|\\s+)';
const WHOLE_CHORD = new RegExp(`^${CHORD}$`);
const CHORD_RUN = new RegExp(`(?<![A-Za-z0-9#'])${CHORD}(?:${CHORD_SEPARATOR}${CHORD})+`, 'g');

/** A chord symbol the parser recognises in a progression ("Dm", "Bbmaj7", "F#m7b5", "C/G"). */
export function isChordSymbol(text: string): boolean {
  return WHOLE_CHORD.test(text);
}

/**
 * Chord symbols ("Dm, Bb, F, C") are harmony, not the key: blank them out so "Dm" there is not read as D minor.
 * Two symbols apart by a space only ("A C major") are prose, not a progression.
 */
function stripChordProgressions(prompt: PromptText): void {
  prompt.scan(CHORD_RUN, (match) => {
    const symbols = match[0].match(new RegExp(CHORD, 'g')) ?? [];
    return symbols.length > 2 || /[,|→>-]|\b(?:and|then|to)\b/.test(match[0]);
  }, 'cased');
}

// ---- tempo -----------------------------------------------------------------------------------------------------

const BPM_UNIT = '(?:bpm|b\\.p\\.m\\.?|beats?\\s*(?:per|a|/)\\s*min(?:ute)?s?)(?![a-z])';
const BPM_VALUE = '(-?\\d{1,6}(?:\\.\\d+)?)';

function readTempo(prompt: PromptText, found: Findings): void {
  const accept = (value: number, said: string) => {
    const bpm = Math.round(value);
    if (!(bpm >= MIN_BPM && bpm <= MAX_BPM)) {
      found.errors.push(`The tempo "${quote(said)}" is out of range: use ${MIN_BPM} to ${MAX_BPM} BPM.`);
    } else if (found.bpm === undefined && found.bpmRange === undefined) {
      found.bpm = bpm;
    }
    return true;
  };
  const acceptRange = (low: number, high: number, said: string) => {
    const [a, b] = [Math.round(Math.min(low, high)), Math.round(Math.max(low, high))];
    if (a < MIN_BPM || b > MAX_BPM) found.errors.push(`The tempo "${quote(said)}" is out of range: use ${MIN_BPM} to ${MAX_BPM} BPM.`);
    else if (found.bpm === undefined && found.bpmRange === undefined) found.bpmRange = [a, b];
    return true;
  };
  prompt.scan(globalPattern(`(?<![\\d.])(\\d{1,6})\\s*(?:-|to)\\s*(\\d{1,6})\\s*${BPM_UNIT}`),
    (m, typed) => acceptRange(Number(m[1]), Number(m[2]), typed));
  prompt.scan(globalPattern(`\\bbetween\\s+(\\d{1,6})\\s+and\\s+(\\d{1,6})\\s*${BPM_UNIT}`),
    (m, typed) => acceptRange(Number(m[1]), Number(m[2]), typed));
  prompt.scan(globalPattern(`(?<![\\d.])${BPM_VALUE}\\s*-?\\s*${BPM_UNIT}`), (m, typed) => accept(Number(m[1]), typed));
  prompt.scan(globalPattern(
    `(?<![\\w-])(?:tempo|bpm|speed)\\s*(?:[:=~]|of|at|is|around|about|approx(?:imately)?|roughly)?\\s*(?:of|around|about|~)?\\s*${BPM_VALUE}` +
    '(?![\\d.:]|\\s*(?:(?:bars?|measures?|seconds?|secs?|minutes?|mins?)\\b|%|/))'), (m, typed) => accept(Number(m[1]), typed));
  prompt.scan(globalPattern(`(?:♩|\\bq|\\bquarter(?:\\s*note)?|\\bcrotchet)\\s*=\\s*${BPM_VALUE}`), (m, typed) => accept(Number(m[1]), typed));
  // A bare number is a tempo only where musicians write one: "trap beat at 140", "medium swing 140". It must end
  // the phrase (not "at 16 bars"), and one out of the tempo range is left alone rather than refused.
  const bare = (m: RegExpExecArray) => {
    const bpm = Number(m[1]);
    if (found.bpm !== undefined || found.bpmRange !== undefined || bpm < BARE_MIN_BPM || bpm > BARE_MAX_BPM) return false;
    found.bpm = bpm;
    return true;
  };
  const phraseEnd = '(?=\\s*(?:$|[,;!?)]|\\.(?!\\d)|\\b(?:with|and|in|on|for|featuring|feat)\\b))';
  prompt.scan(globalPattern(`(?<![\\w-])(?:at|@)\\s*(\\d{2,3})${phraseEnd}`), bare);
  prompt.scan(globalPattern(`(?<=\\b(?:swing|shuffle)\\s+)(\\d{2,3})${phraseEnd}`), bare);
}

/** The tempi a bare number may be ("at 140"); outside them it is more likely something else. */
const BARE_MIN_BPM = 40;
const BARE_MAX_BPM = 240;

// ---- length ----------------------------------------------------------------------------------------------------

function readLength(prompt: PromptText, found: Findings): void {
  const acceptSeconds = (value: number, said: string) => {
    const seconds = Math.round(value);
    if (!(seconds >= MIN_SECONDS && seconds <= MAX_SECONDS)) {
      found.errors.push(`The length "${quote(said)}" is out of range: use ${MIN_SECONDS} second to ${MAX_SECONDS / 60} minutes.`);
    } else {
      found.seconds ??= seconds;
    }
    return true;
  };
  const minutes = '(?:minutes?|mins?)';
  const seconds = '(?:seconds?|secs?)';
  const long = '(?:\\s+long)?'; // "30 seconds long" is a length, not the word "long"
  prompt.scan(globalPattern(`(?<![\\d:.])(\\d{1,2}):([0-5]\\d)(?![\\d:])${long}`),
    (m, typed) => acceptSeconds(Number(m[1]) * 60 + Number(m[2]), typed));
  prompt.scan(globalPattern(`\\b(${NUMBER}|an?)\\s*-?\\s*${minutes}\\s*(?:and\\s+)?(${NUMBER})\\s*-?\\s*(?:${seconds}|s)\\b${long}`),
    (m, typed) => acceptSeconds(numberValue(m[1]) * 60 + numberValue(m[2]), typed));
  prompt.scan(globalPattern(`\\b(${NUMBER}|an?)\\s+and\\s+a\\s+half\\s*-?\\s*${minutes}\\b${long}`),
    (m, typed) => acceptSeconds(numberValue(m[1]) * 60 + 30, typed));
  prompt.scan(globalPattern(`\\b(${NUMBER}|an?)\\s*-?\\s*${minutes}\\s+and\\s+a\\s+half\\b${long}`),
    (m, typed) => acceptSeconds(numberValue(m[1]) * 60 + 30, typed));
  prompt.scan(globalPattern(`\\bhalf\\s+(?:a|an)\\s+${minutes}\\b${long}`), (m, typed) => acceptSeconds(30, typed));
  prompt.scan(globalPattern(`(?<![\\w.])(-?${NUMBER}|an?)\\s*-?\\s*(hours?|hrs?|minutes?|mins?|seconds?|secs?)\\b${long}`), (m, typed) => {
    const unit = m[2].startsWith('h') ? 3600 : m[2].startsWith('m') ? 60 : 1;
    if (unit === 1 && /^an?$/.test(m[1])) return false; // "a second guitar" is not a length
    return acceptSeconds(numberValue(m[1]) * unit, typed);
  });
  prompt.scan(globalPattern(`(?<![\\w.])(-?${NUMBER})\\s*-?\\s*(?:bars?|measures?)\\b${long}`), (m, typed) => {
    const bars = numberValue(m[1]);
    if (!(Number.isInteger(bars) && bars >= 1 && bars <= MAX_BARS)) {
      found.errors.push(`The length "${quote(typed)}" is out of range: use a whole number of bars from 1 to ${MAX_BARS}.`);
    } else {
      found.bars ??= bars;
    }
    return true;
  });
}

// ---- meter -----------------------------------------------------------------------------------------------------

/** Fractions that are idioms, not meters ("24/7 lofi radio"). */
const NOT_METERS = new Set(['24/7', '50/50']);
const METER_LIST = TIME_SIGNATURES.map(([n, d]) => `${n}/${d}`).join(', ');

function readMeter(prompt: PromptText, found: Findings): void {
  prompt.scan(/(?<![\d/.:])(\d{1,3})\s*\/\s*(\d{1,3})(?![\d/])(?:\s*(?:time(?:\s+signature)?|meter|metre|feel))?/g, (m) => {
    const numerator = Number(m[1]);
    const denominator = Number(m[2]);
    if (NOT_METERS.has(`${numerator}/${denominator}`)) return false;
    if (timeSignatureIndex(numerator, denominator) < 0) {
      found.errors.push(`"${numerator}/${denominator}" is not a supported time signature: use one of ${METER_LIST}.`);
    } else {
      found.meter ??= [numerator, denominator];
    }
    return true;
  });
}

// ---- key -------------------------------------------------------------------------------------------------------

/** Characters around a key match that the checks for English ("Am I", "In A Dark Room") look at: a word or two. */
const NEARBY_CHARS = 16;
const ACCIDENTAL = '(#|b|[\\s-]?sharp|[\\s-]?flat)';
/** Nouns after "a minor"/"a major" that make the "a" an article: "a minor key" is some minor key, not A minor. */
const ARTICLE_NOUNS = 'key|keys|tonality|mode|scale|feel|vibe|mood|sound|progression|chords?|tune|song|piece|melody|track|setting|groove|third|seventh|chord';

/** A letter with its accidental as typed ("#", "b", " sharp", "-flat") as a pitch class; undefined when the letter is no note. */
function tonicOf(letter: string, accidental: string | undefined): number | undefined {
  return letterPitchClass(letter, !accidental ? '' : /#|sharp/.test(accidental) ? '#' : 'b');
}

/** "m", "min", "minor", "maj", "major" or nothing (major) as a mode. */
function modeOfWord(word: string | undefined): Mode {
  return modeOf(word ?? '') ?? 'major';
}

function readKey(prompt: PromptText, found: Findings): void {
  const setKey = (key: Key) => {
    found.key ??= key;
    return true;
  };
  // "a minor key", "with a minor feel": a mode, no tonic.
  prompt.scan(globalPattern(`\\ba\\s+(minor|major)(?=[\\s-]+(?:${ARTICLE_NOUNS})\\b)`), (m) => {
    found.mode ??= m[1] as Mode;
    return true;
  });
  // "C# minor", "Db major", "e flat major", "a minor", "Amin", "F#maj"; a letter that is no note is an error.
  prompt.scan(globalPattern(`(?<![a-z0-9#'&/-])([a-z])${ACCIDENTAL}?(?:[\\s-]*(major|minor)(?![a-z])|(maj|min)(?![a-z0-9]))`), (m, typed) => {
    const [, letter, accidental, modeWord, shortMode] = m;
    const tonic = tonicOf(letter, accidental);
    if (tonic === undefined) {
      if (letter === 'i') return false; // "I major in jazz"
      found.errors.push(`"${quote(typed)}" is not a key: use a note from A to G, optionally with # or b, then major or minor (for example "F# minor" or "Bb major").`);
      return true;
    }
    return setKey({ tonic, mode: modeOfWord(modeWord ?? shortMode) });
  });
  // "key of Bb", "key: F#m", "in the key of a", "in A", "in Am", "in Eb".
  prompt.scan(/\b(in\s+the\s+key\s+of|key\s+of|key\s*[:=]|key\s+is|key|in)\s+([A-Ga-g])(#|b)?(m|min|maj)?(?![A-Za-z0-9#'&+])/g, (m) => {
    const [, cue, letter, accidental, suffix] = m;
    if (/^in$/i.test(cue)) {
      if (letter !== letter.toUpperCase()) return false; // "in a dark mood", "in e.g."
      // Whitespace is one character by now, so the next few characters tell; the whole rest would cost a copy of the
      // text per match.
      const rest = prompt.cased.slice(m.index + m[0].length, m.index + m[0].length + NEARBY_CHARS);
      // "In A Dark Room" is a title, not A major.
      if (!accidental && !suffix && !/^(?:\s*$|\s*[^\sA-Za-z0-9]|\s+[a-z0-9♩])/.test(rest)) return false;
    }
    return setKey({ tonic: tonicOf(letter, accidental)!, mode: modeOfWord(suffix) });
  }, 'cased');
  // "F#m", "Bbm", "C#min" anywhere: with an accidental they cannot be English words.
  prompt.scan(/(?<![A-Za-z0-9#'&/-])(?:([A-G])(#|b)|([a-g])(#))(m|min)(?![A-Za-z0-9#'])/g, (m) => {
    return setKey({ tonic: tonicOf(m[1] ?? m[3], m[2] ?? m[4])!, mode: 'minor' });
  }, 'cased');
  // "Am", "Dm" without a cue: a capital letter and a small m, unless it is English ("Am I", "I Am").
  prompt.scan(/(?<![A-Za-z0-9#'&/-])([A-G])m(?![A-Za-z0-9#'&])/g, (m) => {
    // A few characters either side are enough (whitespace is one character by now); more would be a copy per match.
    const before = prompt.lower.slice(Math.max(0, m.index - NEARBY_CHARS), m.index);
    const after = prompt.lower.slice(m.index + 2, m.index + 2 + NEARBY_CHARS);
    if (/\bi\s*$/.test(before)) return false;
    if (/^\s+(?:i|we|you|he|she|they|it|not|so|just|really|still|here|there|the|a|an)\b/.test(after)) return false;
    return setKey({ tonic: letterPitchClass(m[1])!, mode: 'minor' });
  }, 'cased');
  // "minor", "major key" on their own: a mode.
  prompt.scan(/\b(minor|major)(?:[\s-]+(?:key|tonality|mode|scale))?\b/g, (m) => {
    found.mode ??= m[1] as Mode;
    return true;
  });
}

// ---- words and phrases -----------------------------------------------------------------------------------------

interface Token {
  word: string;
  start: number;
  end: number;
}

const NEGATORS = new Set(['no', 'without', 'not', 'minus', 'zero', 'non', 'nor', 'never', 'lose', 'skip', 'dont']);
const NEGATION_FILLERS = new Set(['any', 'the', 'a', 'an', 'real', 'heavy', 'loud', 'live', 'too', 'very', 'much', 'more', 'of']);
/** Words after "short"/"long" that make them about notes or sections, not the piece. */
const NOT_A_LENGTH = new Set(['note', 'notes', 'chord', 'chords', 'sustain', 'sustained', 'intro', 'outro', 'reverb',
  'tail', 'decay', 'release', 'fade', 'break', 'pause', 'rests', 'rest']);

function tokenize(text: string): Token[] {
  return [...text.matchAll(/[a-z0-9&]+/g)].map((m) => ({ word: m[0], start: m.index, end: m.index + m[0].length }));
}

/** Two tokens are one phrase's neighbours when only spaces, hyphens or apostrophes stand between them. */
function adjacent(text: string, left: Token, right: Token): boolean {
  return /^[ \t\-']+$/.test(text.slice(left.end, right.start));
}

/** How many tokens from i on stand side by side, as far as a phrase can reach: a phrase does not span a comma. */
function sideBySide(text: string, tokens: Token[], i: number): number {
  let count = 1;
  while (count < LONGEST_PHRASE_WORDS && i + count < tokens.length && adjacent(text, tokens[i + count - 1], tokens[i + count])) count++;
  return count;
}

function isNegated(text: string, tokens: Token[], i: number, previousNegatedEnd: number): boolean {
  let j = i - 1;
  let skipped = 0;
  while (j >= 0 && adjacent(text, tokens[j], tokens[j + 1])) {
    const word = tokens[j].word;
    if (NEGATORS.has(word)) return true;
    if ((word === 'or' || word === 'nor') && previousNegatedEnd === j - 1) return true;
    if (!NEGATION_FILLERS.has(word) || ++skipped > 2) return false;
    j--;
  }
  return false;
}

function readPhrases(prompt: PromptText, found: Findings): void {
  const text = prompt.lower;
  const tokens = tokenize(text);
  const words = tokens.map((token) => token.word);
  let negatedEnd = -2;
  for (let i = 0; i < tokens.length; ) {
    const match = longestPhraseAt(words, i, sideBySide(text, tokens, i));
    if (!match) {
      i++;
      continue;
    }
    const { effects } = match.entry;
    const last = i + match.length - 1;
    if (isNegated(text, tokens, i, negatedEnd)) {
      negatedEnd = last;
      const onlyDrums = effects.drums === true && !effects.instruments && !effects.genre;
      if (onlyDrums) setDrums(found, false, 3);
    } else {
      if (effects.instruments) found.instruments.push(...effects.instruments);
      if (effects.drums !== undefined) setDrums(found, effects.drums, effects.drums ? 2 : 3);
      if (effects.genre && !found.genres.includes(effects.genre)) found.genres.push(effects.genre);
      if (effects.mood && !found.moods.includes(effects.mood)) found.moods.push(effects.mood);
      if (effects.tempoWord) found.tempoWord ??= effects.tempoWord;
      if (effects.meter) found.suggestedMeter ??= effects.meter;
      if (effects.explicitMeter) found.meter ??= effects.explicitMeter;
      if (effects.solo) found.solo = true;
      if (effects.length && !NOT_A_LENGTH.has(tokens[last + 1]?.word ?? '')) found.lengthWord ??= effects.length;
    }
    i = last + 1;
  }
}

function setDrums(found: Findings, drums: boolean, level: number): void {
  if (level < found.drumsLevel) return;
  found.drumsLevel = level;
  found.drums = drums;
}

// ---- summary ---------------------------------------------------------------------------------------------------

/** A short line for logs and the CLI: "90 BPM, A minor, 4/4, electric piano 1, drums, 16 bars, lofi, sad". */
export function describeAttributes(attributes: PromptAttributes): string {
  const parts: string[] = [];
  if (attributes.bpm !== undefined) parts.push(`${attributes.bpm} BPM${attributes.tempoWord ? ` (${attributes.tempoWord})` : ''}`);
  else if (attributes.tempoRange) {
    parts.push(`${attributes.tempoWord ?? 'tempo'} ${attributes.tempoRange[0]}-${attributes.tempoRange[1]} BPM`);
  }
  if (attributes.key) parts.push(keyName(attributes.key));
  else if (attributes.mode) parts.push(`${attributes.mode} key`);
  if (attributes.timeSignature) parts.push(attributes.timeSignature.join('/'));
  if (attributes.instruments?.length) parts.push(attributes.instruments.map(instrumentName).join(' + '));
  if (attributes.drums !== undefined) parts.push(attributes.drums ? 'drums' : 'no drums');
  if (attributes.bars !== undefined) parts.push(`${attributes.bars} bars${attributes.lengthWord ? ` (${attributes.lengthWord})` : ''}`);
  if (attributes.seconds !== undefined) parts.push(`${attributes.seconds} s`);
  if (attributes.genres?.length) parts.push(attributes.genres.join(' + '));
  if (attributes.moods?.length) parts.push(attributes.moods.join(' + '));
  return parts.length ? parts.join(', ') : 'no attributes';
}
