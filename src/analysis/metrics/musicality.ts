/**
 * Musicality metrics as MusPy defines them (Dong et al., "MusPy: A Toolkit for Symbolic Music Generation", ISMIR
 * 2020; muspy/metrics/metrics.py), computed on our tick grid (TICKS_PER_QUARTER = 12 time steps per quarter note).
 *
 * Like MusPy, a metric that has nothing to measure (no pitched notes, fewer than two bars, an empty score) is NaN.
 * Which notes count follows MusPy: pitch-based metrics (entropy, scale consistency, polyphony) ignore drum tracks;
 * rhythm-based ones (groove consistency, empty beats) use every track, drums included.
 * docs/METRICS.md lists where we deviate from MusPy's code and why.
 */
import { compressionRatio } from './compression.ts';
import { drumBarAgreement, drumHitsPerBar } from './drum-groove.ts';
import { instrumentFamily } from '../../music/instruments.ts';
import { TICKS_PER_QUARTER, barsOf, scoreEndTick, type Note, type Score } from '../../music/score.ts';

/** The musicality metrics in the order docs/METRICS.md and the reference table list them. */
export const MUSICALITY_METRICS = [
  'pitchClassEntropy', 'scaleConsistency', 'grooveConsistency', 'drumBarAgreement', 'drumHitsPerBar', 'emptyBeatRate',
  'polyphony', 'harmonicPolyphony', 'polyphonyRate', 'compressionRatio',
] as const;

export interface Musicality {
  pitchClassEntropy: number;
  scaleConsistency: number;
  grooveConsistency: number;
  /** The drums' own groove (drum-groove.ts): not MusPy's, NaN without drums. */
  drumBarAgreement: number;
  drumHitsPerBar: number;
  emptyBeatRate: number;
  polyphony: number;
  /** Polyphony of pieces with a part that plays chords (HARMONIC_FAMILIES), NaN for the rest. */
  harmonicPolyphony: number;
  polyphonyRate: number;
  /** Repetition (see compression.ts), over the default 16-bar window. */
  compressionRatio: number;
}

export function measureMusicality(score: Score): Musicality {
  const roll = pitchedActivity(score);
  return {
    pitchClassEntropy: pitchClassEntropy(score),
    scaleConsistency: scaleConsistency(score),
    grooveConsistency: grooveConsistency(score),
    drumBarAgreement: drumBarAgreement(score),
    drumHitsPerBar: drumHitsPerBar(score),
    emptyBeatRate: emptyBeatRate(score),
    polyphony: polyphonyOf(roll),
    harmonicPolyphony: hasHarmonicPart(score) ? polyphonyOf(roll) : NaN,
    polyphonyRate: polyphonyRateOf(roll, 2),
    compressionRatio: compressionRatio(score),
  };
}

function pitchedNotes(score: Score): Note[] {
  return score.tracks.filter((track) => !track.isDrum).flatMap((track) => track.notes);
}

function pitchClassCounts(score: Score): number[] {
  const counts = new Array<number>(12).fill(0);
  for (const note of pitchedNotes(score)) counts[note.pitch % 12] += 1;
  return counts;
}

/** Shannon entropy in bits of the note-count histogram over the 12 pitch classes (0..log2(12)). */
export function pitchClassEntropy(score: Score): number {
  const counts = pitchClassCounts(score);
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return NaN;
  let entropy = 0;
  for (const count of counts) if (count > 0) entropy -= (count / total) * Math.log2(count / total);
  return entropy;
}

/** Pitch classes of a major scale and of MusPy's minor scale (natural minor), from the tonic. */
const MAJOR_STEPS = [0, 2, 4, 5, 7, 9, 11];
const MINOR_STEPS = [0, 2, 3, 5, 7, 8, 10];

/** Largest share of notes (counted, not weighted by length) inside one of the 24 major and minor scales. */
export function scaleConsistency(score: Score): number {
  const counts = pitchClassCounts(score);
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return NaN;
  let best = 0;
  for (const steps of [MAJOR_STEPS, MINOR_STEPS]) {
    for (let tonic = 0; tonic < 12; tonic++) {
      const inScale = steps.reduce((sum, step) => sum + counts[(tonic + step) % 12], 0);
      best = Math.max(best, inScale / total);
    }
  }
  return best;
}

/**
 * 1 - mean Hamming distance between the onset patterns of neighbouring bars, as a share of the time steps in a bar
 * (all tracks, drums included). A bar's pattern marks each tick where any note starts. Bars follow the score's
 * meters; when two neighbours differ in length, the shorter pattern is padded with silence.
 */
export function grooveConsistency(score: Score): number {
  const bars = barsOf(score, scoreEndTick(score));
  if (bars.length < 2 || scoreEndTick(score) === 0) return NaN;
  const patterns = bars.map((bar) => new Uint8Array(bar.ticks));
  let barIndex = 0;
  const onsets = score.tracks.flatMap((track) => track.notes.map((note) => note.onset)).sort((a, b) => a - b);
  for (const onset of onsets) {
    while (barIndex + 1 < bars.length && bars[barIndex + 1].start <= onset) barIndex += 1;
    patterns[barIndex][onset - bars[barIndex].start] = 1;
  }
  let distance = 0;
  let steps = 0;
  for (let i = 1; i < patterns.length; i++) {
    const [a, b] = [patterns[i - 1], patterns[i]];
    const length = Math.max(a.length, b.length);
    for (let t = 0; t < length; t++) if ((a[t] ?? 0) !== (b[t] ?? 0)) distance += 1;
    steps += length;
  }
  return 1 - distance / steps;
}

/**
 * Share of quarter-note beats in which no note sounds (all tracks, drums included), from the start to the end of
 * the last note. A note sounds in every beat its half-open span [onset, onset + duration) touches.
 */
export function emptyBeatRate(score: Score): number {
  const end = scoreEndTick(score);
  if (end === 0) return NaN;
  const beats = Math.ceil(end / TICKS_PER_QUARTER);
  const sounding = new Uint8Array(beats);
  for (const track of score.tracks) {
    for (const note of track.notes) {
      const last = Math.ceil((note.onset + note.duration) / TICKS_PER_QUARTER) - 1;
      for (let beat = Math.floor(note.onset / TICKS_PER_QUARTER); beat <= last; beat++) sounding[beat] = 1;
    }
  }
  return 1 - sounding.reduce((sum, on) => sum + on, 0) / beats;
}

/** Mean number of distinct pitches sounding, over the time steps where at least one pitched note sounds. */
export function polyphony(score: Score): number {
  return polyphonyOf(pitchedActivity(score));
}

/** GM families whose instruments usually play chords: pianos and keys, organs, guitars, strings, choirs, pads. */
const HARMONIC_FAMILIES = new Set(['piano', 'organ', 'guitar', 'strings', 'ensemble', 'synth pad']);

/** Whether a pitched part of the score is played by an instrument that usually plays chords. */
export function hasHarmonicPart(score: Score): boolean {
  return score.tracks.some((track) => !track.isDrum && track.notes.length > 0 && HARMONIC_FAMILIES.has(instrumentFamily(track.program)));
}

/** Polyphony over pieces with a harmonic part: a melody for flute and bass is not expected to hold chords. */
export function harmonicPolyphony(score: Score): number {
  return hasHarmonicPart(score) ? polyphony(score) : NaN;
}

/**
 * Share of all time steps (up to the end of the last note of any track) where at least `minPitches` distinct
 * pitches sound. MusPy's docstring says "multiple pitches" (minPitches 2, our default); its code counts steps with
 * more than `threshold` = 2 pitches, which is minPitches 3.
 */
export function polyphonyRate(score: Score, minPitches = 2): number {
  return polyphonyRateOf(pitchedActivity(score), minPitches);
}

/** Number of distinct pitched notes sounding at each tick, and the number of ticks in the whole score. */
interface PitchedActivity {
  sounding: Int32Array;
  length: number;
}

/**
 * MusPy's binary piano roll, summed over pitches: a pitch held by two tracks at once counts once, so each pitch's
 * notes are merged into a union of spans before counting.
 */
function pitchedActivity(score: Score): PitchedActivity {
  const length = scoreEndTick(score);
  const change = new Int32Array(length + 1);
  const spansByPitch = new Map<number, Array<[number, number]>>();
  for (const note of pitchedNotes(score)) {
    const spans = spansByPitch.get(note.pitch) ?? [];
    spans.push([note.onset, note.onset + note.duration]);
    spansByPitch.set(note.pitch, spans);
  }
  for (const spans of spansByPitch.values()) {
    spans.sort((a, b) => a[0] - b[0]);
    let [start, end] = spans[0];
    for (const [nextStart, nextEnd] of spans.slice(1)) {
      if (nextStart <= end) {
        end = Math.max(end, nextEnd);
        continue;
      }
      change[start] += 1;
      change[end] -= 1;
      [start, end] = [nextStart, nextEnd];
    }
    change[start] += 1;
    change[end] -= 1;
  }
  const sounding = new Int32Array(length);
  let running = 0;
  for (let tick = 0; tick < length; tick++) sounding[tick] = running += change[tick];
  return { sounding, length };
}

function polyphonyOf({ sounding }: PitchedActivity): number {
  let pitches = 0;
  let steps = 0;
  for (const count of sounding) {
    if (count > 0) {
      pitches += count;
      steps += 1;
    }
  }
  return steps ? pitches / steps : NaN;
}

function polyphonyRateOf({ sounding, length }: PitchedActivity, minPitches: number): number {
  if (length === 0) return NaN;
  let steps = 0;
  for (const count of sounding) if (count >= minPitches) steps += 1;
  return steps / length;
}
