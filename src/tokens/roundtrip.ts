/**
 * Does decode(encode(score)) give the score back? Compares what the tokens are meant to keep: every note (instrument,
 * pitch, onset, duration; velocity to its bin), the tempo map and the meters, up to the end of the last bar.
 */
import { decodeScore, encodeScore } from './tokenizer.ts';
import { barsOf, instrumentOf, scoreEndTick, type Score } from '../music/score.ts';
import { velocityBin } from './vocab.ts';

export interface RoundTripReport {
  ok: boolean;
  tokens: number;
  bars: number;
  notes: number;
  /** Human-readable differences, at most a few of each kind. */
  differences: string[];
}

function noteKeys(score: Score): string[] {
  const keys: string[] = [];
  for (const track of score.tracks) {
    const instrument = instrumentOf(track);
    for (const n of track.notes) keys.push(`${instrument}:${n.onset}:${n.pitch}:${n.duration}:${velocityBin(n.velocity)}`);
  }
  return keys.sort();
}

function multisetDifference(a: string[], b: string[]): string[] {
  const counts = new Map<string, number>();
  for (const key of b) counts.set(key, (counts.get(key) ?? 0) + 1);
  const missing: string[] = [];
  for (const key of a) {
    const left = counts.get(key) ?? 0;
    if (left > 0) counts.set(key, left - 1);
    else missing.push(key);
  }
  return missing;
}

export function checkRoundTrip(score: Score): RoundTripReport {
  const ids = encodeScore(score);
  const decoded = decodeScore(ids);
  const bars = barsOf(score, scoreEndTick(score));
  const end = bars[bars.length - 1].start + bars[bars.length - 1].ticks;
  const differences: string[] = [];

  const original = noteKeys(score);
  const back = noteKeys(decoded);
  const lost = multisetDifference(original, back);
  const added = multisetDifference(back, original);
  if (lost.length) differences.push(`${lost.length} notes lost (instrument:onset:pitch:duration:velocityBin), e.g. ${lost.slice(0, 3).join(', ')}`);
  if (added.length) differences.push(`${added.length} notes added, e.g. ${added.slice(0, 3).join(', ')}`);

  const tempoString = (s: Score) => s.tempos.filter((t) => t.tick < end).map((t) => `${t.tick}@${t.bpm}`).join(' ');
  if (tempoString(score) !== tempoString(decoded)) {
    differences.push(`tempo map differs: ${tempoString(score).slice(0, 80)} vs ${tempoString(decoded).slice(0, 80)}`);
  }
  const meterString = (s: Score) => s.timeSignatures.filter((t) => t.tick < end).map((t) => `${t.tick}@${t.numerator}/${t.denominator}`).join(' ');
  if (meterString(score) !== meterString(decoded)) {
    differences.push(`meters differ: ${meterString(score).slice(0, 80)} vs ${meterString(decoded).slice(0, 80)}`);
  }
  return { ok: differences.length === 0, tokens: ids.length, bars: bars.length, notes: original.length, differences };
}
