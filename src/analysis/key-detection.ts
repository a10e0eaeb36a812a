/**
 * Key finding by key profiles: the duration-weighted pitch-class histogram of the pitched notes is correlated with a
 * major and a minor profile rotated to each of the 12 tonics, and the best of the 24 keys wins (the
 * Krumhansl-Schmuckler method; the profile is exchangeable).
 */
import type { Key } from '../music/keys.ts';
import type { Score } from '../music/score.ts';

export interface KeyProfile {
  name: string;
  /** Weights for the 12 scale degrees counted in semitones from the tonic. */
  major: readonly number[];
  minor: readonly number[];
}

/** Krumhansl & Kessler (1982): probe-tone ratings. */
export const KRUMHANSL_KESSLER: KeyProfile = {
  name: 'krumhansl-kessler',
  major: [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88],
  minor: [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17],
};

/** Temperley (2007, "Music and Probability"): pitch-class frequencies in the Kostka-Payne textbook excerpts. */
export const TEMPERLEY_KOSTKA_PAYNE: KeyProfile = {
  name: 'temperley-kostka-payne',
  major: [0.748, 0.06, 0.488, 0.082, 0.67, 0.46, 0.096, 0.715, 0.104, 0.366, 0.057, 0.4],
  minor: [0.712, 0.084, 0.474, 0.618, 0.049, 0.46, 0.105, 0.747, 0.404, 0.067, 0.133, 0.33],
};

/** Albrecht & Shanahan (2013): duration-weighted pitch-class distributions of 490 common-practice pieces. */
export const ALBRECHT_SHANAHAN: KeyProfile = {
  name: 'albrecht-shanahan',
  major: [0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.08, 0.008, 0.081],
  minor: [0.22, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052],
};

export const KEY_PROFILES: readonly KeyProfile[] = [KRUMHANSL_KESSLER, TEMPERLEY_KOSTKA_PAYNE, ALBRECHT_SHANAHAN];

/** The profile analyzeScore uses, chosen by measured accuracy (docs/ANALYSIS.md). */
export const DEFAULT_KEY_PROFILE: KeyProfile = ALBRECHT_SHANAHAN;

export interface KeyEstimate {
  /** Null when the score has no pitched notes. */
  key: Key | null;
  /** Pearson correlation of the histogram with the winning profile, -1..1 (0 without a key). */
  confidence: number;
}

/** Ticks of sounding time per pitch class (C = 0), over all pitched tracks; drums are left out. */
export function pitchClassHistogram(score: Score): number[] {
  const histogram = new Array<number>(12).fill(0);
  for (const track of score.tracks) {
    if (track.isDrum) continue;
    for (const note of track.notes) histogram[note.pitch % 12] += note.duration;
  }
  return histogram;
}

/** Pearson correlation of a histogram with a profile whose tonic sits on pitch class `tonic`. */
export function profileCorrelation(histogram: readonly number[], profile: readonly number[], tonic: number): number {
  const meanH = histogram.reduce((sum, value) => sum + value, 0) / 12;
  const meanP = profile.reduce((sum, value) => sum + value, 0) / 12;
  let covariance = 0;
  let varianceH = 0;
  let varianceP = 0;
  for (let pc = 0; pc < 12; pc++) {
    const h = histogram[pc] - meanH;
    const p = profile[(pc - tonic + 12) % 12] - meanP;
    covariance += h * p;
    varianceH += h * h;
    varianceP += p * p;
  }
  return varianceH > 0 && varianceP > 0 ? covariance / Math.sqrt(varianceH * varianceP) : 0;
}

/** The best of the 24 keys for a pitch-class histogram; ties go to the first in C major ... B minor order. */
export function keyFromHistogram(histogram: readonly number[], profile: KeyProfile = DEFAULT_KEY_PROFILE): KeyEstimate {
  if (!histogram.some((value) => value > 0)) return { key: null, confidence: 0 };
  let best: KeyEstimate = { key: null, confidence: -Infinity };
  for (const mode of ['major', 'minor'] as const) {
    for (let tonic = 0; tonic < 12; tonic++) {
      const confidence = profileCorrelation(histogram, profile[mode], tonic);
      if (confidence > best.confidence) best = { key: { tonic, mode }, confidence };
    }
  }
  return best;
}

export function detectKey(score: Score, profile: KeyProfile = DEFAULT_KEY_PROFILE): KeyEstimate {
  return keyFromHistogram(pitchClassHistogram(score), profile);
}
