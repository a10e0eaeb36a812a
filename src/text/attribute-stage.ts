/**
 * The attribute stage: between the words and the header, what a musician infers from a prompt that names an
 * ensemble, a genre or a mood instead of instruments, a tempo and a key ("slow jazz ballad for piano trio" is piano,
 * double bass and drums at a ballad's tempo). It only chooses header attributes (instruments, drums, a tempo range,
 * a meter, a mode); the model writes the notes. What the prompt states always wins: an attribute is inferred only
 * when the prompt leaves it open, and each inference names the words it came from, so the CLI and the bot can show
 * it. The tables are ensembles.ts and conventions.ts; docs/PROMPTS.md ("What is inferred") lists them.
 */
import { instrumentName } from '../music/instruments.ts';
import type { Mode } from '../music/keys.ts';
import { GENRE_CONVENTIONS, MOOD_CONVENTIONS } from './conventions.ts';
import { ENSEMBLE_NAMES, ensembleNamed, type Ensemble } from './ensembles.ts';
import { longestPhraseAt } from './phrases.ts';
import { parsePrompt, type PromptAttributes } from './prompt.ts';

export type InferredAttribute = 'instruments' | 'drums' | 'tempo' | 'meter' | 'mode';

export interface Inference {
  attribute: InferredAttribute;
  /** What was chosen, in words: "acoustic grand piano, acoustic bass", "drums", "60-80 BPM", "4/4", "minor". */
  value: string;
  /** The words of the prompt it was inferred from, as typed ("piano trio", "lo-fi"). */
  from: string[];
}

export interface StagedAttributes {
  /** What the prompt states, with what was inferred added where it left an attribute open. */
  attributes: PromptAttributes;
  inferred: Inference[];
}

/** Words a prompt names a genre, mood or ensemble with, as typed, in prompt order. */
interface Cues {
  ensembles: Array<{ ensemble: Ensemble; words: string }>;
  genreWords: Map<string, string>;
  moodWords: Map<string, string>;
}

/** Adds to `stated` (the parser's reading of `text`) what its ensembles, genres and moods imply. */
export function inferAttributes(text: string, stated: PromptAttributes): StagedAttributes {
  const cues = readCues(text, stated.genres ?? []);
  const attributes: PromptAttributes = { ...stated };
  const inferred: Inference[] = [];
  const infer = (attribute: InferredAttribute, value: string, from: string[]) => inferred.push({ attribute, value, from: [...new Set(from)] });

  const instruments = inferInstruments(stated, cues);
  if (instruments) {
    attributes.instruments = instruments.programs;
    if (instruments.added.length) infer('instruments', instruments.added.map(instrumentName).join(', '), instruments.from);
  }
  if (stated.drums === undefined) {
    const drums = agreement([
      ...cues.ensembles.map(({ ensemble, words }) => ({ value: ensemble.drums, words })),
      ...genreCues(stated, cues).map(({ genre, words }) => ({ value: GENRE_CONVENTIONS[genre]?.drums, words })),
    ]);
    if (drums) {
      attributes.drums = drums.value;
      infer('drums', drums.value ? 'drums' : 'no drums', drums.from);
    }
  }
  if (stated.bpm === undefined && stated.tempoRange === undefined) {
    const tempo = inferTempo(stated, cues);
    if (tempo) {
      attributes.tempoRange = tempo.range;
      infer('tempo', `${tempo.range[0]}-${tempo.range[1]} BPM`, tempo.from);
    }
  }
  if (stated.timeSignature === undefined) {
    const meter = agreement(genreCues(stated, cues).map(({ genre, words }) => ({ value: GENRE_CONVENTIONS[genre]?.meter?.join('/'), words })));
    if (meter) {
      attributes.timeSignature = meter.value.split('/').map(Number) as [number, number];
      infer('meter', meter.value, meter.from);
    }
  }
  if (!stated.key && !stated.mode) {
    const mode = agreement(moodCues(stated, cues).map(({ mood, words }) => ({ value: MOOD_CONVENTIONS[mood]?.mode, words })));
    if (mode) {
      attributes.mode = mode.value as Mode;
      infer('mode', mode.value, mode.from);
    }
  }
  return { attributes, inferred };
}

/** How each attribute reads in a line for people. */
const SAID: Record<InferredAttribute, (value: string) => string> = {
  instruments: (value) => `instruments ${value}`,
  drums: (value) => value,
  tempo: (value) => `tempo ${value}`,
  meter: (value) => `meter ${value}`,
  mode: (value) => `${value} mode`,
};

/** One line for people: 'instruments acoustic grand piano, acoustic bass, from "piano trio"'. */
export function describeInference(inference: Inference): string {
  return `${SAID[inference.attribute](inference.value)}, from ${inference.from.map((words) => `"${words}"`).join(' + ')}`;
}

// ---- instruments -----------------------------------------------------------------------------------------------

/**
 * A named ensemble adds its parts to the instruments the prompt states ("piano trio with vibes"). The parser's reading
 * of the ensemble's own name gives way to the parts ("brass quintet" is not the GM brass section "brass" would be). A
 * genre whose sound is its instruments (synthwave, metal) gives its band only when the prompt names no instruments.
 */
function inferInstruments(stated: PromptAttributes, cues: Cues): { programs: number[]; added: number[]; from: string[] } | undefined {
  const statedPrograms = stated.instruments ?? [];
  if (cues.ensembles.length) {
    const parts = new Set(cues.ensembles.flatMap(({ ensemble }) => ensemble.parts));
    const readInNames = new Set(cues.ensembles.flatMap(({ words }) => instrumentsIn(words)).filter((id) => !parts.has(id)));
    const kept = statedPrograms.filter((id) => !readInNames.has(id));
    const added = [...parts].filter((id) => !kept.includes(id));
    return { programs: [...kept, ...added], added, from: cues.ensembles.map(({ words }) => words) };
  }
  if (statedPrograms.length) return undefined;
  const banded = genreCues(stated, cues).find(({ genre }) => GENRE_CONVENTIONS[genre]?.band);
  if (!banded) return undefined;
  const band = [...GENRE_CONVENTIONS[banded.genre].band!];
  return { programs: band, added: band, from: [banded.words] };
}

function instrumentsIn(words: string): number[] {
  const parsed = parsePrompt(words);
  return parsed.ok ? parsed.attributes.instruments ?? [] : [];
}

// ---- tempo -----------------------------------------------------------------------------------------------------

/**
 * The genres' tempo ranges, narrowed by each other and then by the moods' while they still overlap ("sad lo-fi" is
 * the slow end of lo-fi); a cue whose range does not overlap what is kept so far is passed over.
 */
function inferTempo(stated: PromptAttributes, cues: Cues): { range: [number, number]; from: string[] } | undefined {
  let range: [number, number] | undefined;
  const from: string[] = [];
  const narrow = (tempo: [number, number] | undefined, words: string) => {
    if (!tempo) return;
    const next: [number, number] = range ? [Math.max(range[0], tempo[0]), Math.min(range[1], tempo[1])] : [tempo[0], tempo[1]];
    if (next[0] > next[1]) return;
    range = next;
    from.push(words);
  };
  for (const { genre, words } of genreCues(stated, cues)) narrow(GENRE_CONVENTIONS[genre]?.tempo, words);
  for (const { mood, words } of moodCues(stated, cues)) narrow(MOOD_CONVENTIONS[mood]?.tempo, words);
  return range ? { range, from } : undefined;
}

// ---- agreement -------------------------------------------------------------------------------------------------

/** The value every cue that has one agrees on, with the words of those cues; undefined when none has one or they differ. */
function agreement<T>(votes: Array<{ value: T | undefined; words: string }>): { value: T; from: string[] } | undefined {
  const voting = votes.filter((vote): vote is { value: T; words: string } => vote.value !== undefined);
  if (voting.length === 0 || voting.some((vote) => vote.value !== voting[0].value)) return undefined;
  return { value: voting[0].value, from: voting.map((vote) => vote.words) };
}

// ---- cues ------------------------------------------------------------------------------------------------------

function genreCues(stated: PromptAttributes, cues: Cues): Array<{ genre: string; words: string }> {
  return (stated.genres ?? []).map((genre) => ({ genre, words: cues.genreWords.get(genre) ?? genre }));
}

function moodCues(stated: PromptAttributes, cues: Cues): Array<{ mood: string; words: string }> {
  return (stated.moods ?? []).map((mood) => ({ mood, words: cues.moodWords.get(mood) ?? mood }));
}

interface Token {
  word: string;
  start: number;
  end: number;
}

const NEGATORS = new Set(['no', 'not', 'without', 'minus', 'non', 'never']);

/**
 * Finds the ensembles the prompt names and the words behind its genres and moods. The words are split into phrases
 * as the parser splits them (longest first), and an ensemble's name must start and end on those phrases' edges:
 * "orchestral strings" is an instrument, not the orchestra, and "piano trio" is the ensemble.
 */
function readCues(text: string, genres: readonly string[]): Cues {
  const tokens = tokenize(text);
  const words = tokens.map((token) => token.word);
  const starts = new Set<number>();
  const ends = new Set<number>();
  const cues: Cues = { ensembles: [], genreWords: new Map(), moodWords: new Map() };
  const typed = (first: number, last: number) => text.slice(tokens[first].start, tokens[last].end);
  for (let i = 0; i < tokens.length; ) {
    const length = longestPhraseAt(words, i, sideBySide(text, tokens, i))?.length ?? 1;
    const effects = longestPhraseAt(words, i, length)?.entry.effects;
    if (effects?.genre && !cues.genreWords.has(effects.genre)) cues.genreWords.set(effects.genre, typed(i, i + length - 1));
    if (effects?.mood && !cues.moodWords.has(effects.mood)) cues.moodWords.set(effects.mood, typed(i, i + length - 1));
    starts.add(i);
    ends.add(i + length - 1);
    i += length;
  }
  const seen = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    if (!starts.has(i) || (i > 0 && NEGATORS.has(words[i - 1]) && adjacent(text, tokens[i - 1], tokens[i]))) continue;
    const name = ENSEMBLE_NAMES.find((candidate) => {
      const last = i + candidate.length - 1;
      if (!ends.has(last)) return false;
      return candidate.every((word, k) => words[i + k] === word && (k === 0 || adjacent(text, tokens[i + k - 1], tokens[i + k])));
    });
    if (!name) continue;
    const ensemble = ensembleNamed(name.join(' '), genres);
    if (ensemble && !seen.has(ensemble.id)) {
      seen.add(ensemble.id);
      cues.ensembles.push({ ensemble, words: typed(i, i + name.length - 1) });
    }
    i += name.length - 1;
  }
  return cues;
}

/** The prompt's words with where each stands, lower case, as the parser reads them. */
function tokenize(text: string): Token[] {
  // Only A-Z change case, so the positions stay those of `text`.
  const lower = text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
  return [...lower.matchAll(/[a-z0-9&]+/g)].map((m) => ({ word: m[0], start: m.index, end: m.index + m[0].length }));
}

/** Two words are one phrase's neighbours when only spaces or hyphens stand between them. */
function adjacent(text: string, left: Token, right: Token): boolean {
  return /^[ \t\-']+$/.test(text.slice(left.end, right.start));
}

function sideBySide(text: string, tokens: Token[], i: number): number {
  let count = 1;
  while (i + count < tokens.length && adjacent(text, tokens[i + count - 1], tokens[i + count])) count++;
  return count;
}
