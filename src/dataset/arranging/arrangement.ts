/**
 * Small helpers for writing parts onto the tokenizer's grid: note lengths that fit a gap, overlaps cleaned up,
 * and a check that a generated score is representable exactly.
 */
import { DURATION_BINS, positionIndex } from '../../music/grid.ts';
import { barsOf, instrumentOf, scoreEndTick, type Note, type Score, type Track } from '../../music/score.ts';

/** The longest duration bin that fits in `ticks` (the shortest bin when none fits). */
export function durationAtMost(ticks: number): number {
  let best: number = DURATION_BINS[0];
  for (const bin of DURATION_BINS) if (bin <= ticks) best = bin;
  return best;
}

export function clampVelocity(velocity: number): number {
  return Math.max(1, Math.min(127, Math.round(velocity)));
}

/**
 * Sorted by onset then pitch, one note per (onset, pitch), and a note cut short where the same pitch starts again
 * (a key cannot sound twice at once).
 */
export function cleanNotes(notes: readonly Note[]): Note[] {
  const sorted = [...notes].sort((a, b) => a.onset - b.onset || a.pitch - b.pitch || b.duration - a.duration);
  const result: Note[] = [];
  const lastOfPitch = new Map<number, Note>();
  for (const note of sorted) {
    const last = lastOfPitch.get(note.pitch);
    if (last && last.onset === note.onset) continue;
    if (last && last.onset + last.duration > note.onset) last.duration = durationAtMost(note.onset - last.onset);
    const copy = { ...note };
    result.push(copy);
    lastOfPitch.set(note.pitch, copy);
  }
  return result;
}

/** One note at a time: each note ends by the next onset (a bass line, a lead). */
export function monophonic(notes: readonly Note[]): Note[] {
  const sorted = cleanNotes(notes);
  const result: Note[] = [];
  for (const note of sorted) {
    const last = result[result.length - 1];
    if (last && last.onset === note.onset) continue;
    if (last && last.onset + last.duration > note.onset) last.duration = durationAtMost(note.onset - last.onset);
    result.push(note);
  }
  return result;
}

/** Why a score is not exactly representable by the tokens (off-grid onset, unknown length, bad pitch), or undefined. */
export function gridProblem(score: Score): string | undefined {
  const bars = barsOf(score, scoreEndTick(score));
  const bins = new Set<number>(DURATION_BINS);
  for (const track of score.tracks) {
    let bar = 0;
    for (const note of [...track.notes].sort((a, b) => a.onset - b.onset)) {
      while (bar + 1 < bars.length && bars[bar + 1].start <= note.onset) bar += 1;
      if (positionIndex(note.onset - bars[bar].start) < 0) return `${track.name}: onset ${note.onset} is off the grid`;
      if (!bins.has(note.duration)) return `${track.name}: duration ${note.duration} at ${note.onset} is not a duration bin`;
      if (!(note.pitch >= 0 && note.pitch <= 127)) return `${track.name}: pitch ${note.pitch}`;
      if (!(note.velocity >= 1 && note.velocity <= 127)) return `${track.name}: velocity ${note.velocity}`;
    }
  }
  return undefined;
}

/**
 * The finishing touches every generated score gets: one track per instrument (parts on the same program merged),
 * notes cleaned, nothing ringing past `endTick`, empty tracks dropped, tracks in instrument order.
 */
export function finishScore(score: Score, endTick: number): Score {
  const byInstrument = new Map<number, Track>();
  for (const track of score.tracks) {
    const id = instrumentOf(track);
    const existing = byInstrument.get(id);
    if (existing) existing.notes.push(...track.notes);
    else byInstrument.set(id, { ...track, notes: [...track.notes] });
  }
  const tracks = [...byInstrument.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, track]) => ({
      ...track,
      notes: cleanNotes(track.notes.filter((note) => note.onset < endTick))
        .map((note) => ({ ...note, duration: Math.min(note.duration, durationAtMost(endTick - note.onset)) })),
    }))
    .filter((track) => track.notes.length > 0);
  return { ...score, tracks };
}
