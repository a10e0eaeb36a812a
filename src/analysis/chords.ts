/**
 * Chord labelling by template matching: each window (a beat or a half bar) gets the pitch classes sounding in it,
 * weighted by how long they sound, and the chord template that explains them best, with the lowest note as a hint
 * for the root.
 *
 * The score of a template is Pardo & Birmingham's (2002) evidence count on normalized weights: weight on chord
 * tones, minus weight on other tones, minus a share for each chord tone that is missing; plus a bonus when the bass
 * is the root. Ties go to the more common chord (the order of CHORD_TEMPLATES).
 */
import { pitchClassName } from '../music/keys.ts';
import { partitionPoint } from '../music/partition-point.ts';
import { TICKS_PER_QUARTER, barsOf, scoreEndTick, type Bar, type Score } from '../music/score.ts';

export type ChordQuality = 'maj' | 'min' | 'dim' | 'aug' | 'sus2' | 'sus4' | 'maj7' | 'min7' | 'dom7' | 'hdim7' | 'dim7';

export interface ChordSpan {
  /** Start tick of the span: the first of one or more consecutive beats (or half bars) with this chord. */
  tick: number;
  bar: number;
  /** Root pitch class 0-11. */
  root: number;
  quality: ChordQuality;
  /** Readable symbol, e.g. "Am7", "F#dim", "Csus4". */
  symbol: string;
}

export interface ChordTemplate {
  quality: ChordQuality;
  /** Semitones above the root. */
  intervals: readonly number[];
  suffix: string;
}

/** Most common first: the order breaks ties. */
export const CHORD_TEMPLATES: readonly ChordTemplate[] = [
  { quality: 'maj', intervals: [0, 4, 7], suffix: '' },
  { quality: 'min', intervals: [0, 3, 7], suffix: 'm' },
  { quality: 'dom7', intervals: [0, 4, 7, 10], suffix: '7' },
  { quality: 'min7', intervals: [0, 3, 7, 10], suffix: 'm7' },
  { quality: 'maj7', intervals: [0, 4, 7, 11], suffix: 'maj7' },
  { quality: 'sus4', intervals: [0, 5, 7], suffix: 'sus4' },
  { quality: 'sus2', intervals: [0, 2, 7], suffix: 'sus2' },
  { quality: 'dim', intervals: [0, 3, 6], suffix: 'dim' },
  { quality: 'aug', intervals: [0, 4, 8], suffix: 'aug' },
  { quality: 'hdim7', intervals: [0, 3, 6, 10], suffix: 'm7b5' },
  { quality: 'dim7', intervals: [0, 3, 6, 9], suffix: 'dim7' },
];

export function chordSymbol(root: number, quality: ChordQuality): string {
  const template = CHORD_TEMPLATES.find((t) => t.quality === quality);
  return pitchClassName(root) + (template?.suffix ?? '');
}

/** Score bonus (in units of the window's total weight) for a template whose root is the lowest sounding note. */
export const BASS_ROOT_BONUS = 0.4;
/** A chord tone with less than this share of the window's weight counts as missing. */
const PRESENT_SHARE = 0.02;

export interface ChordMatch {
  root: number;
  quality: ChordQuality;
  score: number;
}

/** The best template for pitch-class weights, or null when the weights are all zero. */
export function matchChord(weights: readonly number[], bass: number | null): ChordMatch | null {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (!(total > 0)) return null;
  const share = weights.map((weight) => weight / total);
  let best: ChordMatch | null = null;
  for (const template of CHORD_TEMPLATES) {
    for (let root = 0; root < 12; root++) {
      let inside = 0;
      let missing = 0;
      for (const interval of template.intervals) {
        const value = share[(root + interval) % 12];
        inside += value;
        if (value < PRESENT_SHARE) missing += 1;
      }
      const score = inside - (1 - inside) - missing / template.intervals.length + (bass === root ? BASS_ROOT_BONUS : 0);
      if (!best || score > best.score + 1e-12) best = { root, quality: template.quality, score };
    }
  }
  return best;
}

export type ChordWindow = 'beat' | 'half-bar';

/** Ticks of one beat: a dotted quarter in compound meters (6/8, 9/8, 12/8), else the denominator's note. */
export function beatTicks(bar: Pick<Bar, 'numerator' | 'denominator'>): number {
  const compound = bar.denominator === 8 && bar.numerator % 3 === 0 && bar.numerator > 3;
  return compound ? (TICKS_PER_QUARTER * 3) / 2 : (TICKS_PER_QUARTER * 4) / bar.denominator;
}

/** Start ticks of the analysis windows: beats, or half bars (whole bars when a bar has an odd number of beats). */
export function chordWindows(bars: readonly Bar[], window: ChordWindow): Array<{ tick: number; bar: number }> {
  const windows: Array<{ tick: number; bar: number }> = [];
  for (const bar of bars) {
    const beat = beatTicks(bar);
    const beats = Math.max(1, Math.round(bar.ticks / beat));
    const step = window === 'beat' ? beat : beats % 2 === 0 ? bar.ticks / 2 : bar.ticks;
    for (let offset = 0; offset < bar.ticks; offset += step) windows.push({ tick: bar.start + offset, bar: bar.index });
  }
  return windows;
}

/**
 * The chords of a score, one per window that has pitched notes, consecutive repeats merged into one span.
 * Drums are left out.
 */
export function detectChords(score: Score, window: ChordWindow = 'beat'): ChordSpan[] {
  const end = scoreEndTick(score);
  if (end === 0) return [];
  const windows = chordWindows(barsOf(score, end), window);
  const starts = windows.map((w) => w.tick);
  const bounds = [...starts, end];
  const weights = windows.map(() => new Array<number>(12).fill(0));
  const lowest = windows.map(() => ({ held: Infinity, any: Infinity }));
  for (const track of score.tracks) {
    if (track.isDrum) continue;
    for (const note of track.notes) {
      const noteEnd = note.onset + note.duration;
      for (let i = lastAtOrBefore(starts, note.onset); i >= 0 && i < windows.length && bounds[i] < noteEnd; i++) {
        const overlap = Math.min(noteEnd, bounds[i + 1]) - Math.max(note.onset, bounds[i]);
        if (overlap <= 0) continue;
        weights[i][note.pitch % 12] += overlap;
        lowest[i].any = Math.min(lowest[i].any, note.pitch);
        // A passing note under the harmony should not steer the root: the hint is the lowest note held a while.
        if (overlap * 4 >= bounds[i + 1] - bounds[i]) lowest[i].held = Math.min(lowest[i].held, note.pitch);
      }
    }
  }
  const spans: ChordSpan[] = [];
  windows.forEach(({ tick, bar }, i) => {
    const bassPitch = Number.isFinite(lowest[i].held) ? lowest[i].held : lowest[i].any;
    const match = matchChord(weights[i], Number.isFinite(bassPitch) ? bassPitch % 12 : null);
    if (!match) return;
    const previous = spans[spans.length - 1];
    if (previous && previous.root === match.root && previous.quality === match.quality) return;
    spans.push({ tick, bar, root: match.root, quality: match.quality, symbol: chordSymbol(match.root, match.quality) });
  });
  return spans;
}

/** Index of the last sorted value <= target, or -1. */
function lastAtOrBefore(sorted: readonly number[], target: number): number {
  return partitionPoint(sorted.length, (i) => sorted[i] <= target) - 1;
}
