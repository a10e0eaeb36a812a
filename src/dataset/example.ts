/**
 * What every source of the shared data yields: a piece of music with the labels that came with it. The builder cuts
 * pieces into windows, analyses and captions them, and writes them as training examples.
 */
import type { Score } from '../music/score.ts';

export interface Labels {
  /** Genre label of the collection, normalised ("rock", "classical", "rap_hip_hop" -> "hip hop"). */
  genre?: string;
  /** Style words known from the source (Groove's "funk", a drum grid's "house", "lo-fi" for assembled pieces). */
  styles: string[];
  /** Mood words known from the source (VGMIDI valence/arousal, mood progressions); inferred ones are added later. */
  moods: string[];
  title?: string;
  artist?: string;
  /** Human valence and arousal in -1..1 where a source has them (VGMIDI). */
  valence?: number;
  arousal?: number;
}

export interface SourceExample {
  /** Collection name, e.g. "freemidi", "pop909", "jazz-standards". */
  source: string;
  /** Groups every window of one song, so a song never spans two splits. */
  songId: string;
  /** Where it came from, as the manifest's `origin` column says (for the data card and licences). */
  origin: string;
  score: Score;
  labels: Labels;
  /** True for arrangements put together from parts (a progression voiced + a bass line + a groove). */
  assembled: boolean;
}
