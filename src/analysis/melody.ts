/**
 * The melody of a piece: the part a person would sing back. Of the pitched tracks that mostly play one note at a
 * time, it is the highest (by mean pitch) among those that play often enough to carry a tune; a track of chords or a
 * pad that sounds a few long notes is accompaniment, however high it sits.
 */
import type { Score, Track } from '../music/score.ts';

/** Share of a track's notes that start alone (no other note of the track at the same onset) for it to count as a line. */
export const MONOPHONIC_SHARE = 0.75;
/** A melody plays at least this share of the notes of the busiest candidate track. */
export const BUSY_SHARE = 0.25;

export interface TrackProfile {
  index: number;
  notes: number;
  meanPitch: number;
  /** Share of the notes that start without another note of the track at the same onset. */
  monophonic: number;
}

export function profileTrack(track: Track, index: number): TrackProfile {
  const perOnset = new Map<number, number>();
  for (const note of track.notes) perOnset.set(note.onset, (perOnset.get(note.onset) ?? 0) + 1);
  const alone = track.notes.filter((note) => perOnset.get(note.onset) === 1).length;
  const meanPitch = track.notes.reduce((sum, note) => sum + note.pitch, 0) / Math.max(1, track.notes.length);
  return { index, notes: track.notes.length, meanPitch, monophonic: alone / Math.max(1, track.notes.length) };
}

/** The index of the melody track in `score.tracks`, or -1 when no pitched track has notes. */
export function findMelodyTrack(score: Score): number {
  const pitched = score.tracks.map(profileTrack).filter((profile) => !score.tracks[profile.index].isDrum && profile.notes > 0);
  if (pitched.length === 0) return -1;
  // A piece of chords alone still has a top line worth keeping; lines are preferred where there are any.
  const lines = pitched.filter((profile) => profile.monophonic >= MONOPHONIC_SHARE);
  const candidates = lines.length > 0 ? lines : pitched;
  const busiest = Math.max(...candidates.map((profile) => profile.notes));
  const busy = candidates.filter((profile) => profile.notes >= busiest * BUSY_SHARE);
  return busy.reduce((best, profile) => (profile.meanPitch > best.meanPitch ? profile : best)).index;
}
