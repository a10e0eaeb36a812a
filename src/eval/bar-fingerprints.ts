/**
 * A fingerprint per bar of a token sequence: a hash of the bar's notes as (instrument, position, pitch, duration),
 * velocity left out. Two bars with the same notes get the same fingerprint whatever order the notes were written in;
 * an empty bar gets 0. Read straight from the tokens (no Score objects), because the originality index walks every
 * training example.
 */
import { DURATION_BINS, POSITIONS_PER_BAR } from '../music/grid.ts';
import { DRUMS } from '../music/score.ts';
import { BAR, RANGES } from '../tokens/vocab.ts';

export interface BarFingerprints {
  /** One per bar; 0 for a bar without notes. */
  all: Float64Array;
  /** The same over pitched notes only (drums left out): a common beat alone does not make two bars equal. */
  pitched: Float64Array;
}

export type FingerprintKind = keyof BarFingerprints;
export const FINGERPRINT_KINDS: readonly FingerprintKind[] = ['all', 'pitched'];

const INSTRUMENTS = DRUMS + 1;
const { bars: BARS_RANGE, position: POSITION, instrument: INSTRUMENT, pitch: PITCH, drum: DRUM, duration: DURATION } = RANGES;

const inRange = (id: number, range: { start: number; size: number }) => id >= range.start && id < range.start + range.size;

/** One integer per note; fits 32 bits (64 positions x 129 instruments x 128 pitches x 28 durations < 2^25). */
function noteCode(position: number, instrument: number, pitch: number, duration: number): number {
  return ((position * INSTRUMENTS + instrument) * 128 + pitch) * DURATION_BINS.length + duration;
}

/**
 * A 53-bit hash of a sorted list of note codes (two 32-bit multiply-xorshift lanes, mixed at the end). Never 0, which
 * marks an empty bar. Collisions among a few million distinct bars are negligible at 53 bits.
 */
export function hashNoteCodes(codes: readonly number[]): number {
  let a = 0x9e3779b9 ^ codes.length;
  let b = 0x85ebca6b ^ codes.length;
  for (const code of codes) {
    a = Math.imul(a ^ code, 0x2c1b3c6d);
    a ^= a >>> 15;
    b = Math.imul(b ^ code, 0x297a2d39);
    b ^= b >>> 13;
  }
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b) ^ Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  b = Math.imul(b ^ (b >>> 16), 0x85ebca6b) ^ Math.imul(a ^ (a >>> 13), 0xc2b2ae35);
  const hash = (b & 0x1fffff) * 0x100000000 + (a >>> 0);
  return hash === 0 ? 1 : hash;
}

/** Fingerprints of every bar of a sequence (BOS ... EOS, or a prefix of one). */
export function barFingerprints(tokens: ArrayLike<number>): BarFingerprints {
  const all: number[] = [];
  const pitched: number[] = [];
  let allCodes: number[] = [];
  let pitchedCodes: number[] = [];
  let inBody = false;
  let inBar = false;
  let position = 0;
  let instrument = 0;
  let pitch = 0;
  const closeBar = () => {
    if (!inBar) return;
    all.push(allCodes.length ? hashNoteCodes(allCodes.sort((x, y) => x - y)) : 0);
    pitched.push(pitchedCodes.length ? hashNoteCodes(pitchedCodes.sort((x, y) => x - y)) : 0);
    allCodes = [];
    pitchedCodes = [];
  };
  for (let i = 0; i < tokens.length; i++) {
    const id = tokens[i];
    if (!inBody) {
      // The header ends with its BARS token; header instruments are not notes.
      inBody = inRange(id, BARS_RANGE);
      continue;
    }
    if (id === BAR) {
      closeBar();
      inBar = true;
      position = 0;
    } else if (inRange(id, POSITION)) position = id - POSITION.start;
    else if (inRange(id, INSTRUMENT)) instrument = id - INSTRUMENT.start;
    else if (inRange(id, PITCH)) pitch = id - PITCH.start;
    else if (inRange(id, DRUM)) pitch = id - DRUM.start;
    else if (inRange(id, DURATION)) {
      const code = noteCode(position, instrument, pitch, id - DURATION.start);
      allCodes.push(code);
      if (instrument !== DRUMS) pitchedCodes.push(code);
    }
  }
  closeBar();
  return { all: Float64Array.from(all), pitched: Float64Array.from(pitched) };
}

// POSITIONS_PER_BAR bounds the position factor of noteCode; checked once so a grid change cannot overflow it silently.
if (POSITIONS_PER_BAR * INSTRUMENTS * 128 * DURATION_BINS.length >= 2 ** 31) throw new Error('bar note codes overflow 31 bits');
