/**
 * How closely a generated score follows the attributes a prompt stated explicitly (tempo, meter, key, instruments,
 * drums, length). Each attribute is judged only when the prompt asked for it; the rest stay undefined, so averages
 * over a prompt set count each attribute over the prompts that named it.
 */
import type { Key } from '../../music/keys.ts';
import { DEFAULT_BPM, DRUMS, barsOf, instrumentOf, scoreEndTick, type Score } from '../../music/score.ts';
import { keyMatch, keyMatchOrRelative, tempoBinMatch, tempoBinNearMatch } from './text2midi.ts';

export interface PromptExpectation {
  bpm?: number;
  key?: Key;
  timeSignature?: readonly [number, number];
  /** GM programs 0-127 the prompt named (the drum kit is asked for with `drums`, not here). */
  instruments?: readonly number[];
  drums?: boolean;
  bars?: number;
}

export interface Adherence {
  /** Whole BPM equal to the requested one. */
  bpm?: boolean;
  /** text2midi TB and TBT against the requested BPM. */
  tempoBin?: boolean;
  tempoBinNear?: boolean;
  /** text2midi CK and CKD against the requested key. */
  key?: boolean;
  keyOrRelative?: boolean;
  timeSignature?: boolean;
  /** Share of the requested instruments that play at least one note. */
  instrumentRecall?: number;
  /** Share of the pitched instruments playing that were requested (0 when none play). */
  instrumentPrecision?: number;
  /** Drums present exactly when requested (or absent when the prompt said none). */
  drums?: boolean;
  /** The bars written (`barsToLastOnset`) equal the requested count. */
  bars?: boolean;
}

export interface AdherenceOptions {
  /**
   * The score's key as estimated by the analysis (analyzeScore(score).key); a score does not carry its key.
   * Required when the expectation names a key.
   */
  key?: Key | null;
}

export function measureAdherence(expected: PromptExpectation, score: Score, options: AdherenceOptions = {}): Adherence {
  const result: Adherence = {};
  if (expected.bpm !== undefined) {
    const actual = dominantBpm(score);
    result.bpm = Math.round(actual) === Math.round(expected.bpm);
    result.tempoBin = tempoBinMatch(expected.bpm, actual);
    result.tempoBinNear = tempoBinNearMatch(expected.bpm, actual);
  }
  if (expected.key !== undefined) {
    if (options.key === undefined) throw new Error('measureAdherence: the expectation names a key; pass the score key');
    result.key = keyMatch(expected.key, options.key);
    result.keyOrRelative = keyMatchOrRelative(expected.key, options.key);
  }
  if (expected.timeSignature !== undefined) {
    const [numerator, denominator] = dominantTimeSignature(score);
    result.timeSignature = numerator === expected.timeSignature[0] && denominator === expected.timeSignature[1];
  }
  const playing = playingInstruments(score);
  const requested = new Set(expected.instruments?.filter((id) => id !== DRUMS));
  if (requested.size > 0) {
    const pitched = [...playing].filter((id) => id !== DRUMS);
    const hits = pitched.filter((id) => requested.has(id)).length;
    result.instrumentRecall = hits / requested.size;
    result.instrumentPrecision = pitched.length ? hits / pitched.length : 0;
  }
  if (expected.drums !== undefined) result.drums = playing.has(DRUMS) === expected.drums;
  if (expected.bars !== undefined) result.bars = barsToLastOnset(score) === expected.bars;
  return result;
}

/**
 * Bars up to and including the one where the last note starts (0 without notes): the count a header's BARS states.
 * Not to where the last note ends, which a final note held over the bar line would push one bar further.
 */
export function barsToLastOnset(score: Score): number {
  let lastOnset = -1;
  for (const track of score.tracks) for (const note of track.notes) lastOnset = Math.max(lastOnset, note.onset);
  return lastOnset < 0 ? 0 : barsOf(score, lastOnset + 1).length;
}

/** Instrument ids (GM program or DRUMS) of the tracks that play at least one note. */
export function playingInstruments(score: Score): Set<number> {
  return new Set(score.tracks.filter((track) => track.notes.length > 0).map(instrumentOf));
}

/** The tempo in force for the most ticks up to the end of the last note. */
export function dominantBpm(score: Score): number {
  const end = Math.max(1, scoreEndTick(score));
  const ticksByBpm = new Map<number, number>();
  const tempos = score.tempos.length ? score.tempos : [{ tick: 0, bpm: DEFAULT_BPM }];
  tempos.forEach((tempo, i) => {
    const from = i === 0 ? 0 : tempo.tick;
    const to = Math.min(end, tempos[i + 1]?.tick ?? end);
    if (to > from) ticksByBpm.set(tempo.bpm, (ticksByBpm.get(tempo.bpm) ?? 0) + to - from);
  });
  return mostCommon(ticksByBpm) ?? tempos[0].bpm;
}

/** The meter of the most bars. */
export function dominantTimeSignature(score: Score): [number, number] {
  const barsByMeter = new Map<string, number>();
  for (const bar of barsOf(score, scoreEndTick(score))) {
    const meter = `${bar.numerator}/${bar.denominator}`;
    barsByMeter.set(meter, (barsByMeter.get(meter) ?? 0) + 1);
  }
  const [numerator, denominator] = mostCommon(barsByMeter)!.split('/').map(Number);
  return [numerator, denominator];
}

function mostCommon<T>(weights: Map<T, number>): T | undefined {
  let best: T | undefined;
  let bestWeight = -1;
  for (const [value, weight] of weights) {
    if (weight > bestWeight) [best, bestWeight] = [value, weight];
  }
  return best;
}
