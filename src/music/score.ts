/**
 * The score model every part of Motif speaks: tracks of notes on a fixed tick grid, a tempo map and time signatures.
 *
 * Time is in ticks of TICKS_PER_QUARTER per quarter note. 12 ticks hold both sixteenth notes (3 ticks) and
 * sixteenth-note triplets (2 ticks), the finest rhythms the tokenizer keeps.
 */
import { partitionPoint } from './partition-point.ts';

export const TICKS_PER_QUARTER = 12;
export const DEFAULT_BPM = 120;

export interface Note {
  /** Start, in ticks from the beginning of the piece. */
  onset: number;
  /** Length in ticks (always > 0 in a quantized score). */
  duration: number;
  /** MIDI note number 0-127; for drums, the GM percussion key. */
  pitch: number;
  /** MIDI velocity 1-127. */
  velocity: number;
}

export interface Track {
  /** General MIDI program 0-127; ignored for drums. */
  program: number;
  /** True for the percussion channel (MIDI channel 10). */
  isDrum: boolean;
  name: string;
  notes: Note[];
}

export interface TempoChange {
  tick: number;
  bpm: number;
}

export interface TimeSignature {
  tick: number;
  numerator: number;
  denominator: number;
}

export interface Score {
  tempos: TempoChange[];
  timeSignatures: TimeSignature[];
  tracks: Track[];
}

/** The instrument id used by the tokenizer and analysis: GM program 0-127, or DRUMS for the kit. */
export const DRUMS = 128;

export function instrumentOf(track: Pick<Track, 'program' | 'isDrum'>): number {
  return track.isDrum ? DRUMS : track.program;
}

/** Ticks in one bar of the given meter. */
export function barTicks(numerator: number, denominator: number): number {
  return (numerator * TICKS_PER_QUARTER * 4) / denominator;
}

/** End of the last note, in ticks. */
export function scoreEndTick(score: Score): number {
  let end = 0;
  for (const track of score.tracks) for (const note of track.notes) end = Math.max(end, note.onset + note.duration);
  return end;
}

export function noteCount(score: Score): number {
  return score.tracks.reduce((sum, track) => sum + track.notes.length, 0);
}

export interface Bar {
  index: number;
  start: number;
  ticks: number;
  numerator: number;
  denominator: number;
}

/**
 * The bars of a score, from its time signatures, until `endTick`, and at least `minCount` of them.
 * A meter change that does not fall on a bar line takes effect at the next bar line.
 */
export function barsOf(score: Pick<Score, 'timeSignatures'>, endTick: number, minCount = 1): Bar[] {
  const signatures = score.timeSignatures.length
    ? score.timeSignatures
    : [{ tick: 0, numerator: 4, denominator: 4 }];
  const bars: Bar[] = [];
  let signatureIndex = 0;
  let current = signatures[0];
  let start = 0;
  while (start < endTick || bars.length < minCount) {
    while (signatureIndex + 1 < signatures.length && signatures[signatureIndex + 1].tick <= start) {
      signatureIndex += 1;
      current = signatures[signatureIndex];
    }
    const ticks = barTicks(current.numerator, current.denominator);
    bars.push({ index: bars.length, start, ticks, numerator: current.numerator, denominator: current.denominator });
    start += ticks;
  }
  return bars;
}

/** Index of the last bar starting at or before `tick` (bars in order, as barsOf gives them; 0 before the first). */
export function barIndexAt(bars: readonly Bar[], tick: number): number {
  return Math.max(0, partitionPoint(bars.length, (i) => bars[i].start <= tick) - 1);
}

/** Tempo in effect at a tick. */
export function tempoAt(score: Pick<Score, 'tempos'>, tick: number): number {
  let bpm = score.tempos[0]?.bpm ?? DEFAULT_BPM;
  for (const tempo of score.tempos) {
    if (tempo.tick > tick) break;
    bpm = tempo.bpm;
  }
  return bpm;
}

/** Seconds from the start of the piece to a tick, following the tempo map. */
export function tickToSeconds(score: Pick<Score, 'tempos'>, tick: number): number {
  let seconds = 0;
  let lastTick = 0;
  let bpm = score.tempos[0]?.tick === 0 ? score.tempos[0].bpm : DEFAULT_BPM;
  for (const tempo of score.tempos) {
    if (tempo.tick >= tick) break;
    seconds += ((tempo.tick - lastTick) / TICKS_PER_QUARTER) * (60 / bpm);
    lastTick = tempo.tick;
    bpm = tempo.bpm;
  }
  return seconds + ((tick - lastTick) / TICKS_PER_QUARTER) * (60 / bpm);
}

/**
 * The bars [fromBar, fromBar + count) as a score of their own: notes starting inside, the tempo and meter in force at
 * the window's start, and the changes inside it. Notes keep their length (they may ring past the window's end).
 */
export function sliceBars(score: Score, fromBar: number, count: number): Score {
  return barSlicer(score)(fromBar, count);
}

/** First index in `notes` (sorted by onset) whose onset is at or after `tick`. */
function firstOnsetAtOrAfter(notes: readonly Note[], tick: number): number {
  return partitionPoint(notes.length, (i) => notes[i].onset < tick);
}

function sortedByOnset(notes: readonly Note[]): boolean {
  for (let i = 1; i < notes.length; i++) if (notes[i].onset < notes[i - 1].onset) return false;
  return true;
}

/**
 * `sliceBars` for many slices of one score: the bar lines and whether each track is in onset order are worked out
 * once, so a slice costs its own notes rather than the whole score's (cutting a long song into windows was quadratic).
 */
export function barSlicer(score: Score): (fromBar: number, count: number) => Score {
  let bars = barsOf(score, scoreEndTick(score));
  const sorted = score.tracks.map((track) => sortedByOnset(track.notes));
  return (fromBar, count) => {
    if (bars.length < fromBar + count + 1) bars = barsOf(score, 0, fromBar + count + 1);
    const start = bars[fromBar].start;
    const end = bars[fromBar + count].start;
    const first = bars[fromBar];
    const notesIn = (notes: readonly Note[], inOrder: boolean) => (inOrder
      ? notes.slice(firstOnsetAtOrAfter(notes, start), firstOnsetAtOrAfter(notes, end))
      : notes.filter((n) => n.onset >= start && n.onset < end));
    return {
      tempos: [
        { tick: 0, bpm: tempoAt(score, start) },
        ...score.tempos.filter((t) => t.tick > start && t.tick < end).map((t) => ({ tick: t.tick - start, bpm: t.bpm })),
      ],
      timeSignatures: [
        { tick: 0, numerator: first.numerator, denominator: first.denominator },
        ...score.timeSignatures.filter((ts) => ts.tick > start && ts.tick < end).map((ts) => ({ ...ts, tick: ts.tick - start })),
      ],
      tracks: score.tracks
        .map((track, index) => ({
          ...track,
          notes: notesIn(track.notes, sorted[index]).map((n) => ({ ...n, onset: n.onset - start })),
        }))
        .filter((track) => track.notes.length > 0),
    };
  };
}
