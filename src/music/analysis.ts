/**
 * Musical analysis of a score: tempo, meter, key, chords, instruments, density, polyphony, range, dynamics, length.
 */
import type { Key } from './keys.ts';
import type { Score } from './score.ts';

export type ChordQuality = 'maj' | 'min' | 'dim' | 'aug' | 'sus2' | 'sus4' | 'maj7' | 'min7' | 'dom7' | 'hdim7' | 'dim7';

export interface ChordSpan {
  /** Start tick of the span (a beat or half bar). */
  tick: number;
  bar: number;
  /** Root pitch class 0-11. */
  root: number;
  quality: ChordQuality;
  /** Readable symbol, e.g. "Am7", "F#dim", "Csus4". */
  symbol: string;
}

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

export declare function analyzeScore(score: Score): Analysis;
