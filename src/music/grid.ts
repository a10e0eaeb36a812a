/**
 * The rhythmic grid that the score model and the tokenizer share: where notes may start, how long they may last,
 * which meters and tempi are representable. Quantizing a MIDI file snaps it onto this grid; the tokenizer then
 * round-trips a quantized score exactly.
 */
import { TICKS_PER_QUARTER, barTicks } from './score.ts';

/** Onset offsets inside a quarter note: sixteenths (0, 3, 6, 9) and sixteenth triplets (0, 2, 4, 6, 8, 10). */
export const POSITION_SLOTS = [0, 2, 3, 4, 6, 8, 9, 10] as const;
/** The longest bar the position tokens can address (8/4, 4/2). */
export const MAX_BAR_QUARTERS = 8;
/** The longest piece Motif writes or renders, in bars (the header's BARS_n tokens count up to it). */
export const MAX_BARS = 64;
export const POSITIONS_PER_BAR = POSITION_SLOTS.length * MAX_BAR_QUARTERS;

/** Note lengths in ticks: every grid step up to a half note, then coarser steps up to four 4/4 bars. */
export const DURATION_BINS = [
  2, 3, 4, 6, 8, 9, 10, 12, 14, 15, 16, 18, 20, 21, 22, 24, 30, 36, 42, 48, 60, 72, 84, 96, 120, 144, 168, 192,
] as const;

export const MIN_BPM = 20;
export const MAX_BPM = 299;

/** Meters with their own token; others are mapped to one of these with the same bar length. */
export const TIME_SIGNATURES: ReadonlyArray<readonly [number, number]> = [
  [2, 4], [3, 4], [4, 4], [5, 4], [6, 4], [7, 4], [8, 4],
  [2, 2], [3, 2], [4, 2],
  [3, 8], [5, 8], [6, 8], [7, 8], [9, 8], [12, 8],
  [1, 4],
];

const SLOT_INDEX = new Int8Array(TICKS_PER_QUARTER).fill(-1);
POSITION_SLOTS.forEach((slot, index) => (SLOT_INDEX[slot] = index));

/** Position token index of an in-bar tick offset, or -1 when the offset is off the grid. */
export function positionIndex(offset: number): number {
  const quarter = Math.floor(offset / TICKS_PER_QUARTER);
  const slot = SLOT_INDEX[offset - quarter * TICKS_PER_QUARTER];
  if (slot < 0 || quarter >= MAX_BAR_QUARTERS) return -1;
  return quarter * POSITION_SLOTS.length + slot;
}

/** In-bar tick offset of a position token index. */
export function positionOffset(index: number): number {
  const quarter = Math.floor(index / POSITION_SLOTS.length);
  return quarter * TICKS_PER_QUARTER + POSITION_SLOTS[index % POSITION_SLOTS.length];
}

/** Nearest grid offset to a fractional in-bar offset; may equal the bar length (then it belongs to the next bar). */
export function snapOffset(offset: number): number {
  const quarter = Math.floor(offset / TICKS_PER_QUARTER);
  const within = offset - quarter * TICKS_PER_QUARTER;
  let best: number = TICKS_PER_QUARTER; // the next quarter's first slot
  for (const slot of POSITION_SLOTS) if (Math.abs(slot - within) < Math.abs(best - within)) best = slot;
  return quarter * TICKS_PER_QUARTER + best;
}

/** durationIndex for every whole tick count up to twice the longest bin: the tokenizer asks once per note. */
const DURATION_INDEX_TABLE = Int8Array.from({ length: 2 * DURATION_BINS[DURATION_BINS.length - 1] + 1 }, (_, ticks) => nearestDurationBin(ticks));

/** Index of the nearest duration bin to a fractional length in ticks. */
export function durationIndex(ticks: number): number {
  return Number.isInteger(ticks) && ticks >= 0 && ticks < DURATION_INDEX_TABLE.length ? DURATION_INDEX_TABLE[ticks] : nearestDurationBin(ticks);
}

function nearestDurationBin(ticks: number): number {
  let best = 0;
  for (let i = 1; i < DURATION_BINS.length; i++) {
    if (Math.abs(DURATION_BINS[i] - ticks) < Math.abs(DURATION_BINS[best] - ticks)) best = i;
  }
  return best;
}

export function snapDuration(ticks: number): number {
  return DURATION_BINS[durationIndex(ticks)];
}

export function clampBpm(bpm: number): number {
  return Math.min(MAX_BPM, Math.max(MIN_BPM, Math.round(bpm)));
}

export function timeSignatureIndex(numerator: number, denominator: number): number {
  return TIME_SIGNATURES.findIndex(([n, d]) => n === numerator && d === denominator);
}

/**
 * A representable meter for any numerator/denominator: itself when it has a token, else one with the same bar
 * length (10/8 -> 5/4), else 4/4.
 */
export function normalizeTimeSignature(numerator: number, denominator: number): [number, number] {
  if (timeSignatureIndex(numerator, denominator) >= 0) return [numerator, denominator];
  if (!(numerator > 0) || !(denominator > 0)) return [4, 4];
  const ticks = barTicks(numerator, denominator);
  const sameLength = TIME_SIGNATURES.find(([n, d]) => d === 4 && barTicks(n, d) === ticks)
    ?? TIME_SIGNATURES.find(([n, d]) => barTicks(n, d) === ticks);
  return sameLength ? [sameLength[0], sameLength[1]] : [4, 4];
}
