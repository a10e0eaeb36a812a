/**
 * What a caption may say about a piece: the facts of its analysis and labels that are true, representable and
 * understood by the prompt parser. The caption writer (captions.ts) only ever states facts from here.
 */
import type { Analysis } from '../analysis/analysis.ts';
import type { ChordSpan } from '../analysis/chords.ts';
import { MAX_BPM, MIN_BPM, timeSignatureIndex } from '../music/grid.ts';
import type { Key } from '../music/keys.ts';
import { MAX_SECONDS, MIN_SECONDS, isChordSymbol, parsePrompt } from './prompt.ts';
import { DRUMS } from '../music/score.ts';
import { MAX_BARS } from '../tokens/vocab.ts';
import { phraseEffects } from './phrases.ts';
import { GENRES, TEMPO_WORDS } from './words.ts';

export interface CaptionLabels {
  /** A collection's genre label ("rock", "rap_hip_hop", "rnb_soul", "classic"). */
  genre?: string;
  /** More style labels ("funk/purdieshuffle", "medium swing", "jigs"). */
  styles?: readonly string[];
  /** Mood labels ("Joyful", "Nostalgic"). */
  moods?: readonly string[];
  title?: string;
  artist?: string;
  /** The collection a file came from ("vgmusic", "pop909"): a genre hint when the labels have none. */
  source?: string;
}

/** The parts of an Analysis a caption uses. */
export type CaptionAnalysis = Pick<Analysis, 'bpm' | 'timeSignature' | 'key' | 'instruments' | 'hasDrums' | 'bars' | 'seconds'>
  & Partial<Pick<Analysis, 'keyConfidence' | 'chords'>>;

export interface CaptionInput {
  analysis: CaptionAnalysis;
  labels?: CaptionLabels;
}

/** A detected key with a weaker profile correlation than this is not stated: a wrong key teaches the model noise. */
export const MIN_KEY_CONFIDENCE = 0.5;

/** Collections whose every file shares a style, for files without a genre label. */
export const SOURCE_GENRES: Readonly<Record<string, string>> = {
  vgmusic: 'video game',
  freedoom: 'video game',
  pop909: 'pop',
  riddim: 'reggae',
  nottingham: 'folk',
};

export interface Progression {
  symbols: string[];
  /** The progression comes back at least once more. */
  repeats: boolean;
  /** The piece goes on to other chords after these (so the caption says "opens with"). */
  opening: boolean;
}

export interface CaptionFacts {
  bpm?: number;
  /** Tempo words whose range holds the BPM (without words that also carry a mood). */
  tempoWords: string[];
  meter?: [number, number];
  key?: Key;
  /** Pitched instruments (GM programs), the busiest first. */
  instruments: number[];
  drums: boolean;
  /** Distinct instruments, the kit counted as one: 3 makes a trio. */
  ensembleSize: number;
  progression?: Progression;
  bars?: number;
  seconds?: number;
  genres: string[];
  moods: string[];
  title?: string;
  artist?: string;
}

export function captionFacts(input: CaptionInput): CaptionFacts {
  const { analysis, labels = {} } = input;
  const bpm = Number.isInteger(analysis.bpm) && analysis.bpm >= MIN_BPM && analysis.bpm <= MAX_BPM ? analysis.bpm : undefined;
  const [numerator, denominator] = analysis.timeSignature;
  const meter = timeSignatureIndex(numerator, denominator) >= 0 ? [numerator, denominator] as [number, number] : undefined;
  const key = analysis.key && (analysis.keyConfidence ?? 1) >= MIN_KEY_CONFIDENCE ? analysis.key : undefined;
  const instruments = [...analysis.instruments]
    .filter((instrument) => instrument.id !== DRUMS && instrument.id >= 0 && instrument.id < 128 && instrument.notes > 0)
    .sort((a, b) => b.notes - a.notes)
    .map((instrument) => instrument.id)
    .filter((id, index, ids) => ids.indexOf(id) === index);
  const facts: CaptionFacts = {
    bpm,
    tempoWords: bpm === undefined ? [] : Object.entries(TEMPO_WORDS)
      .filter(([, entry]) => !entry.mood && entry.range[0] <= bpm && bpm <= entry.range[1])
      .map(([word]) => word),
    meter,
    key,
    instruments,
    drums: analysis.hasDrums,
    ensembleSize: instruments.length + (analysis.hasDrums ? 1 : 0),
    progression: progressionOf(analysis.chords ?? []),
    bars: Number.isInteger(analysis.bars) && analysis.bars >= 1 && analysis.bars <= MAX_BARS ? analysis.bars : undefined,
    seconds: analysis.seconds >= MIN_SECONDS && analysis.seconds <= MAX_SECONDS ? analysis.seconds : undefined,
    genres: [],
    moods: [],
    title: plainReference(labels.title),
    artist: plainReference(labels.artist),
  };
  const genreLabels = [labels.genre, ...(labels.styles ?? [])].filter((label): label is string => !!label);
  if (genreLabels.length === 0 && labels.source && SOURCE_GENRES[labels.source]) genreLabels.push(SOURCE_GENRES[labels.source]);
  facts.genres = unique(genreLabels.flatMap((label) => labelWords(label).genres ?? []))
    .filter((genre) => GENRES[genre].aliases.some((alias) => agreesWith(facts, alias)));
  facts.moods = unique((labels.moods ?? []).flatMap((label) => labelWords(label).moods ?? []));
  return facts;
}

/** Genres and moods a free-text label names, read by the prompt parser itself ("rap_hip_hop" -> hip hop). */
function labelWords(label: string): { genres?: string[]; moods?: string[] } {
  // freemidi spells classical music "classic" in one of its two scrapes.
  const readable = label.trim().toLowerCase() === 'classic' ? 'classical' : label.replace(/[_/]+/g, ' ');
  const parsed = parsePrompt(readable);
  return parsed.ok ? parsed.attributes : {};
}

/** Whether what a phrase implies on its own (a waltz is in 3/4, chiptune has a square lead) is true of the piece. */
export function agreesWith(facts: Pick<CaptionFacts, 'meter' | 'instruments' | 'drums' | 'bpm'>, phrase: string): boolean {
  const effects = phraseEffects(phrase);
  if (!effects) return false;
  const meter = effects.explicitMeter ?? effects.meter;
  if (meter && !(facts.meter && facts.meter[0] === meter[0] && facts.meter[1] === meter[1])) return false;
  if (effects.instruments?.some((id) => id >= 0 && !facts.instruments.includes(id))) return false;
  if (effects.drums !== undefined && effects.drums !== facts.drums) return false;
  if (effects.tempoWord) {
    const [low, high] = TEMPO_WORDS[effects.tempoWord].range;
    if (facts.bpm === undefined || facts.bpm < low || facts.bpm > high) return false;
  }
  return true;
}

/** A title or artist is quoted only when it says nothing the parser would take as a request ("Tennessee Waltz"). */
function plainReference(text: string | undefined): string | undefined {
  const clean = text?.replace(/\s+/g, ' ').trim();
  if (!clean || clean.length > 60 || /["\u0001]/.test(clean) || !/[a-z]/i.test(clean)) return undefined;
  const parsed = parsePrompt(clean);
  return parsed.ok && Object.keys(parsed.attributes).length === 0 ? clean : undefined;
}

/**
 * The chords worth naming: the most frequent run of 4 (else 3, else 2) chords when it comes back, otherwise the
 * first few chords.
 */
export function progressionOf(chords: readonly ChordSpan[]): Progression | undefined {
  const sequence: string[] = [];
  for (const chord of chords) if (sequence[sequence.length - 1] !== chord.symbol) sequence.push(chord.symbol);
  if (sequence.length < 2 || !sequence.every(isChordSymbol)) return undefined;
  for (const size of [4, 3, 2]) {
    const counts = new Map<string, number>();
    for (let i = 0; i + size <= sequence.length; i++) {
      const run = sequence.slice(i, i + size).join(' ');
      counts.set(run, (counts.get(run) ?? 0) + 1);
    }
    let best: string | undefined;
    for (const [run, count] of counts) if (count >= 2 && (best === undefined || count > counts.get(best)!)) best = run;
    if (best) return { symbols: best.split(' '), repeats: true, opening: false };
  }
  const symbols = sequence.slice(0, 4);
  return { symbols, repeats: false, opening: sequence.length > symbols.length };
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
