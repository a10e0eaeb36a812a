/**
 * Musical analysis of a score: tempo, meter, key, chords, instruments, density, polyphony, range, dynamics, length.
 */
import { detectChords, type ChordSpan } from './chords.ts';
import { instrumentFamily, instrumentName } from '../music/instruments.ts';
import { detectKey } from './key-detection.ts';
import type { Key } from '../music/keys.ts';
import { DEFAULT_BPM, barsOf, instrumentOf, scoreEndTick, tickToSeconds, type Note, type Score } from '../music/score.ts';

export { detectKey } from './key-detection.ts';

export interface InstrumentSummary {
  /** GM program 0-127 or DRUMS (128). */
  id: number;
  name: string;
  family: string;
  notes: number;
}

export interface Analysis {
  /** The tempo that holds for most of the piece (duration-weighted), whole BPM. */
  bpm: number;
  tempoChanges: number;
  /** The meter that holds for most of the piece. */
  timeSignature: [number, number];
  /** Null when there are no pitched notes (drums only). */
  key: Key | null;
  /** Correlation of the best key profile, -1..1. */
  keyConfidence: number;
  chords: ChordSpan[];
  instruments: InstrumentSummary[];
  families: string[];
  hasDrums: boolean;
  /** Notes per second. */
  noteDensity: number;
  /** Mean number of pitched notes sounding at once, over the time when any is sounding. */
  polyphony: number;
  /** Lowest and highest pitched note, or null for drums only. */
  pitchRange: { low: number; high: number } | null;
  meanVelocity: number;
  bars: number;
  seconds: number;
}

/** Everything the Analysis interface describes; see docs/ANALYSIS.md for how each field is computed. */
export function analyzeScore(score: Score): Analysis {
  const end = scoreEndTick(score);
  const pitched = score.tracks.filter((track) => !track.isDrum).flatMap((track) => track.notes);
  const all = score.tracks.flatMap((track) => track.notes);
  const seconds = tickToSeconds(score, end);
  const { key, confidence } = detectKey(score);
  const instruments = instrumentSummaries(score);
  let low = Infinity;
  let high = -Infinity;
  for (const note of pitched) {
    low = Math.min(low, note.pitch);
    high = Math.max(high, note.pitch);
  }
  return {
    bpm: Math.round(mainTempo(score, end)),
    tempoChanges: score.tempos.filter((tempo) => tempo.tick > 0 && tempo.tick < end).length,
    timeSignature: mainMeter(score, end),
    key,
    keyConfidence: confidence,
    chords: detectChords(score),
    instruments,
    families: [...new Set(instruments.map((instrument) => instrument.family))],
    hasDrums: score.tracks.some((track) => track.isDrum && track.notes.length > 0),
    noteDensity: seconds > 0 ? all.length / seconds : 0,
    polyphony: polyphonyOf(pitched),
    pitchRange: pitched.length ? { low, high } : null,
    meanVelocity: all.length ? all.reduce((sum, note) => sum + note.velocity, 0) / all.length : 0,
    bars: end > 0 ? barsOf(score, end).length : 0,
    seconds,
  };
}

/** The value that holds for the most ticks of [0, end) among step changes; the first one when end is 0. */
function longestHeld<T>(changes: ReadonlyArray<{ tick: number; value: T }>, end: number, same: (a: T, b: T) => boolean): T {
  const totals: Array<{ value: T; ticks: number }> = [];
  changes.forEach(({ tick, value }, i) => {
    const until = Math.min(end, changes[i + 1]?.tick ?? end);
    const ticks = Math.max(0, until - tick);
    const entry = totals.find((total) => same(total.value, value));
    if (entry) entry.ticks += ticks;
    else totals.push({ value, ticks });
  });
  return totals.reduce((best, entry) => (entry.ticks > best.ticks ? entry : best)).value;
}

function mainTempo(score: Score, end: number): number {
  const changes = score.tempos.length ? score.tempos.map((tempo) => ({ tick: tempo.tick, value: tempo.bpm })) : [{ tick: 0, value: DEFAULT_BPM }];
  return longestHeld(changes, end, (a, b) => Math.round(a) === Math.round(b));
}

function mainMeter(score: Score, end: number): [number, number] {
  const changes = score.timeSignatures.length
    ? score.timeSignatures.map((ts) => ({ tick: ts.tick, value: [ts.numerator, ts.denominator] as [number, number] }))
    : [{ tick: 0, value: [4, 4] as [number, number] }];
  return longestHeld(changes, end, (a, b) => a[0] === b[0] && a[1] === b[1]);
}

/** One entry per instrument id (tracks of the same instrument added up), in instrument id order. */
function instrumentSummaries(score: Score): InstrumentSummary[] {
  const counts = new Map<number, number>();
  for (const track of score.tracks) {
    if (track.notes.length === 0) continue;
    const id = instrumentOf(track);
    counts.set(id, (counts.get(id) ?? 0) + track.notes.length);
  }
  return [...counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([id, notes]) => ({ id, name: instrumentName(id), family: instrumentFamily(id), notes }));
}

/** Sounding note-ticks divided by the ticks during which at least one note sounds. */
function polyphonyOf(notes: readonly Note[]): number {
  const events: Array<[number, number]> = [];
  for (const note of notes) events.push([note.onset, 1], [note.onset + note.duration, -1]);
  // Ends before starts at the same tick, so that a note followed at once by another is not counted as overlap.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let sounding = 0;
  let covered = 0;
  let noteTicks = 0;
  let previous = 0;
  for (const [tick, change] of events) {
    if (sounding > 0) {
      covered += tick - previous;
      noteTicks += (tick - previous) * sounding;
    }
    sounding += change;
    previous = tick;
  }
  return covered > 0 ? noteTicks / covered : 0;
}
