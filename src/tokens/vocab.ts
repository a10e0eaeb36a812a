/**
 * The music vocabulary: every token the model reads and writes, in a fixed order (docs/tokens.md documents it).
 *
 * Token ids are grouped in contiguous ranges by type, so the grammar can allow a whole type with one range and the
 * tokenizer can read a value as (id - range start).
 */
import { createHash } from 'node:crypto';
import { DURATION_BINS, MAX_BARS, MAX_BPM, MIN_BPM, POSITIONS_PER_BAR, TIME_SIGNATURES } from '../music/grid.ts';
import { keyFromIndex, keyName } from '../music/keys.ts';
import { DRUMS, TICKS_PER_QUARTER } from '../music/score.ts';

export const VELOCITY_BINS = 16;
/** The header's BARS_n tokens count up to the grid's longest piece. */
export { MAX_BARS };
export const TEMPO_TENS_MIN = Math.floor(MIN_BPM / 10);
export const TEMPO_TENS_MAX = Math.floor(MAX_BPM / 10);

export interface TokenRange {
  readonly start: number;
  readonly size: number;
}

const names: string[] = [];
function range(size: number, name: (i: number) => string): TokenRange {
  const start = names.length;
  for (let i = 0; i < size; i++) names.push(name(i));
  return { start, size };
}

export const PAD = range(1, () => 'PAD').start;
export const BOS = range(1, () => 'BOS').start;
export const EOS = range(1, () => 'EOS').start;
export const BAR = range(1, () => 'BAR').start;

export const RANGES = {
  timeSignature: range(TIME_SIGNATURES.length, (i) => `TS_${TIME_SIGNATURES[i][0]}/${TIME_SIGNATURES[i][1]}`),
  tempoTens: range(TEMPO_TENS_MAX - TEMPO_TENS_MIN + 1, (i) => `TEMPO_TENS_${TEMPO_TENS_MIN + i}`),
  tempoOnes: range(10, (i) => `TEMPO_ONES_${i}`),
  /** 24 keys, then KEY_NONE for music without pitched notes. */
  key: range(25, (i) => (i < 24 ? `KEY_${keyName(keyFromIndex(i)).replace(' ', '_')}` : 'KEY_NONE')),
  /** GM programs 0-127, then the drum kit (DRUMS = 128). */
  instrument: range(DRUMS + 1, (i) => (i === DRUMS ? 'INST_DRUMS' : `INST_${i}`)),
  bars: range(MAX_BARS, (i) => `BARS_${i + 1}`),
  position: range(POSITIONS_PER_BAR, (i) => `POS_${i}`),
  pitch: range(128, (i) => `PITCH_${i}`),
  drum: range(128, (i) => `DRUM_${i}`),
  velocity: range(VELOCITY_BINS, (i) => `VEL_${i}`),
  duration: range(DURATION_BINS.length, (i) => `DUR_${i}`),
} as const;

export type TokenType = keyof typeof RANGES | 'PAD' | 'BOS' | 'EOS' | 'BAR';

export const TOKEN_NAMES: readonly string[] = names;
export const VOCAB_SIZE = names.length;
export const KEY_NONE = RANGES.key.start + 24;

/**
 * Identifies the vocabulary and the grid it encodes; a model trained on another vocabulary is refused.
 */
export const MUSIC_VOCAB_HASH = createHash('sha256')
  .update(JSON.stringify({ names, ticksPerQuarter: TICKS_PER_QUARTER, durations: DURATION_BINS }))
  .digest('hex')
  .slice(0, 16);

const TYPE_OF = new Array<TokenType>(VOCAB_SIZE);
TYPE_OF[PAD] = 'PAD';
TYPE_OF[BOS] = 'BOS';
TYPE_OF[EOS] = 'EOS';
TYPE_OF[BAR] = 'BAR';
for (const [type, { start, size }] of Object.entries(RANGES)) {
  for (let i = 0; i < size; i++) TYPE_OF[start + i] = type as TokenType;
}

export function tokenType(id: number): TokenType {
  const type = TYPE_OF[id];
  if (type === undefined) throw new RangeError(`token id ${id} is outside the vocabulary (size ${VOCAB_SIZE})`);
  return type;
}

export function tokenId(type: keyof typeof RANGES, value: number): number {
  const { start, size } = RANGES[type];
  if (!Number.isInteger(value) || value < 0 || value >= size) throw new RangeError(`${type} value ${value} out of range`);
  return start + value;
}

/** The value a token carries inside its type (e.g. 60 for PITCH_60). */
export function tokenValue(id: number): number {
  const type = tokenType(id);
  return type in RANGES ? id - RANGES[type as keyof typeof RANGES].start : 0;
}

export function tokenName(id: number): string {
  return TOKEN_NAMES[id] ?? `?${id}`;
}

export function velocityBin(velocity: number): number {
  return Math.min(VELOCITY_BINS - 1, Math.max(0, Math.floor(velocity / 8)));
}

export function velocityOfBin(bin: number): number {
  return Math.min(127, bin * 8 + 4);
}
