/**
 * Scores one answer to one evaluation prompt: did a prompt that must be refused get a message, and did a piece keep
 * the attributes its prompt asked for (measured from the notes, not read from the header the engine forced)?
 * Every check is a number in [0, 1] (1/0 for yes/no), present only when the prompt asked for that attribute.
 */
import { detectKey } from '../analysis/key-detection.ts';
import { keyName, type Key } from '../music/keys.ts';
import { barsToLastOnset, dominantBpm, dominantTimeSignature, measureAdherence, playingInstruments, measureMusicality, type Musicality } from '../analysis/metrics/index.ts';
import { instrumentName } from '../music/instruments.ts';
import { DRUMS, type Score } from '../music/score.ts';
import type { Expectation } from './prompt-file.ts';

export const CHECKS = [
  'refusal', 'composed', 'bpm', 'tempoBin', 'tempoBinNear', 'tempoRange', 'key', 'keyOrRelative', 'timeSignature',
  'instrumentRecall', 'instrumentPrecision', 'drums', 'bars',
] as const;
export type CheckName = (typeof CHECKS)[number];
export type Checks = Partial<Record<CheckName, number>>;

/** What each check means, for the report. */
export const CHECK_LABELS: Record<CheckName, string> = {
  refusal: 'refused with a message (error prompts)',
  composed: 'a piece came back (valid prompts)',
  bpm: 'exact BPM',
  tempoBin: 'TB: same tempo bin',
  tempoBinNear: 'TBT: tempo bin +-1',
  tempoRange: 'tempo within the range',
  key: 'CK: same key',
  keyOrRelative: 'CKD: key or relative',
  timeSignature: 'meter',
  instrumentRecall: 'instrument recall',
  instrumentPrecision: 'instrument precision',
  drums: 'drums as asked',
  bars: 'bars',
};

/** Checks that judge whether a request was met; precision is left out because a prompt rarely forbids extra parts. */
export const REQUIREMENT_CHECKS: readonly CheckName[] = CHECKS.filter((check) => check !== 'instrumentPrecision');

export interface MeasuredPiece {
  /** Dominant tempo, BPM. */
  bpm: number;
  /** Estimated from the notes (key-detection.ts); null without pitched notes. */
  key: string | null;
  /** The key the header states (forced or sampled). */
  headerKey: string | null;
  timeSignature: string;
  instruments: string[];
  drums: boolean;
  /** Bars up to the bar of the last note onset (the bars the piece writes, as adherence counts them). */
  bars: number;
  headerBars: number;
  notes: number;
}

/** Checks for a prompt that was refused (or failed) instead of composing. */
export function judgeRefusal(expectation: Expectation, refused: boolean): Checks {
  if (expectation.error) return { refusal: refused ? 1 : 0 };
  // A valid prompt that got no piece fails everything it asked for.
  const checks: Checks = { composed: 0 };
  for (const check of expectedChecks(expectation)) checks[check] = 0;
  return checks;
}

/** The checks a valid prompt's expectation calls for. */
function expectedChecks(expectation: Expectation): CheckName[] {
  const checks: CheckName[] = [];
  if (expectation.bpm !== undefined) checks.push('bpm', 'tempoBin', 'tempoBinNear');
  if (expectation.tempoRange) checks.push('tempoRange');
  if (expectation.key) checks.push('key', 'keyOrRelative');
  if (expectation.timeSignature) checks.push('timeSignature');
  if (expectation.instruments?.length) checks.push('instrumentRecall', 'instrumentPrecision');
  if (expectation.drums !== undefined) checks.push('drums');
  if (expectation.bars !== undefined) checks.push('bars');
  return checks;
}

/** Checks for a piece composed from a prompt. An error prompt that was answered with a piece fails `refusal`. */
export function judgePiece(expectation: Expectation, score: Score, key: Key | null = detectKey(score).key): Checks {
  if (expectation.error) return { refusal: 0 };
  const adherence = measureAdherence(expectation, score, { key });
  const checks: Checks = { composed: 1 };
  const asNumber = (value: boolean | number | undefined) => (value === undefined ? undefined : Number(value));
  checks.bpm = asNumber(adherence.bpm);
  checks.tempoBin = asNumber(adherence.tempoBin);
  checks.tempoBinNear = asNumber(adherence.tempoBinNear);
  if (expectation.tempoRange) {
    const bpm = Math.round(dominantBpm(score));
    checks.tempoRange = Number(bpm >= expectation.tempoRange[0] && bpm <= expectation.tempoRange[1]);
  }
  checks.key = asNumber(adherence.key);
  checks.keyOrRelative = asNumber(adherence.keyOrRelative);
  checks.timeSignature = asNumber(adherence.timeSignature);
  checks.instrumentRecall = adherence.instrumentRecall;
  checks.instrumentPrecision = adherence.instrumentPrecision;
  checks.drums = asNumber(adherence.drums);
  checks.bars = asNumber(adherence.bars);
  for (const check of CHECKS) if (checks[check] === undefined) delete checks[check];
  return checks;
}

export function measurePiece(score: Score, header: { key: Key | null; bars: number }, key: Key | null = detectKey(score).key): MeasuredPiece {
  const playing = [...playingInstruments(score)].sort((a, b) => a - b);
  return {
    bpm: Math.round(dominantBpm(score)),
    key: key ? keyName(key) : null,
    headerKey: header.key ? keyName(header.key) : null,
    timeSignature: dominantTimeSignature(score).join('/'),
    instruments: playing.filter((id) => id !== DRUMS).map(instrumentName),
    drums: playing.includes(DRUMS),
    bars: barsToLastOnset(score),
    headerBars: header.bars,
    notes: score.tracks.reduce((sum, track) => sum + track.notes.length, 0),
  };
}

/** MusPy musicality with NaN (nothing to measure) written as null, so the JSON report keeps the field. */
export function musicalityOf(score: Score): Record<keyof Musicality, number | null> {
  const values = measureMusicality(score);
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, Number.isFinite(value) ? value : null])) as Record<keyof Musicality, number | null>;
}
