/**
 * Arrangement: the sections of a form, each a score of the model's own notes, laid end to end into one piece. Nothing
 * here writes a note: a section is the model's bars, whole or with some instruments left out, moved to where the form
 * places it.
 */
import { barTicks, barsOf, instrumentOf, sliceBars, type Score, type Track } from '../music/score.ts';

/** The first `bars` bars of `material` (from tick 0) without the instruments in `resting`. */
export function sectionScore(material: Score, bars: number, resting: readonly number[] = []): Score {
  const opening = sliceBars(material, 0, bars);
  return { ...opening, tracks: opening.tracks.filter((track) => !resting.includes(instrumentOf(track))) };
}

/** True when some note of `score` starts in its bar `bar` (0-based). */
export function startsNoteInBar(score: Score, bar: number): boolean {
  const [at] = barsOf(score, 0, bar + 1).slice(bar);
  return score.tracks.some((track) => track.notes.some((note) => note.onset >= at.start && note.onset < at.start + at.ticks));
}

/**
 * The piece: each section's notes moved to its first bar (1-based), one track per instrument, in the meter and tempo
 * of the whole (the form's model calls allow no change of either inside a piece).
 */
export function arrange(sections: ReadonlyArray<{ firstBar: number; score: Score }>, meter: readonly [number, number], bpm: number): Score {
  const ticksPerBar = barTicks(meter[0], meter[1]);
  const tracks = new Map<number, Track>();
  for (const { firstBar, score } of sections) {
    const offset = (firstBar - 1) * ticksPerBar;
    for (const track of score.tracks) {
      const id = instrumentOf(track);
      let merged = tracks.get(id);
      if (!merged) {
        merged = { ...track, notes: [] };
        tracks.set(id, merged);
      }
      for (const note of track.notes) merged.notes.push({ ...note, onset: note.onset + offset });
    }
  }
  return {
    tempos: [{ tick: 0, bpm }],
    timeSignatures: [{ tick: 0, numerator: meter[0], denominator: meter[1] }],
    tracks: [...tracks.values()].sort((a, b) => instrumentOf(a) - instrumentOf(b)),
  };
}
