/**
 * Cuts a piece into training windows: 4 to 16 whole bars on bar lines, each short enough for the model's context.
 * Long songs give several windows; a dense stretch gets a shorter window rather than being dropped.
 */
import { barIndexAt, barSlicer, barsOf, scoreEndTick, type Bar, type Score } from '../music/score.ts';
import type { Random } from '../music/random.ts';
import { BAR } from '../tokens/vocab.ts';

export interface WindowOptions {
  minBars: number;
  maxBars: number;
  /** Longest token sequence the model reads (header and EOS included). */
  maxTokens: number;
  /** At most this many windows from one piece, spread over it (diversity over repetition). */
  maxWindowsPerPiece: number;
}

export const DEFAULT_WINDOW_OPTIONS: WindowOptions = { minBars: 4, maxBars: 16, maxTokens: 1024, maxWindowsPerPiece: 8 };

export interface Window {
  fromBar: number;
  bars: number;
  score: Score;
  tokens: number[];
}

/** Encodes a window; the key is resolved by the caller (labelled or detected). */
export type WindowEncoder = (score: Score, bars: number) => number[];

/** For each bar, how many notes start in it: one pass over the notes. */
function onsetsPerBar(score: Score, bars: readonly Bar[]): number[] {
  const counts = new Array<number>(bars.length).fill(0);
  for (const track of score.tracks) {
    for (const note of track.notes) {
      const index = barIndexAt(bars, note.onset);
      const bar = bars[index];
      if (bar && note.onset >= bar.start && note.onset < bar.start + bar.ticks) counts[index] += 1;
    }
  }
  return counts;
}

/** Fewest tokens a window can have: BOS, meter, tempo, key, one instrument, bars, EOS. */
const MIN_FRAME_TOKENS = 8;

/**
 * The longest window from `start`, up to `length` bars, that could fit: each bar takes at least its BAR, a position
 * and a pitch and a duration per note. Cuts very dense candidates down before they are encoded at all.
 */
function boundedLength(onsets: readonly number[], start: number, length: number, maxTokens: number): number {
  let tokens = MIN_FRAME_TOKENS;
  for (let bars = 0; bars < length; bars++) {
    const count = onsets[start + bars];
    tokens += 1 + (count > 0 ? 1 : 0) + 2 * count;
    if (tokens > maxTokens) return bars;
  }
  return length;
}

/**
 * The most opening bars of an encoded window whose own encoding fits in `maxTokens`. A shorter window's sequence is
 * this one's up to that bar plus EOS, except that its header may list fewer instruments, so the count is an upper
 * bound and the shorter window always fits. One encoding replaces a search that encoded the window again and again.
 */
export function barsThatFit(tokens: readonly number[], maxTokens: number): number {
  let bars = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] !== BAR) continue;
    // Tokens before this BAR hold the header and `bars` whole bars; EOS comes after them.
    if (i + 1 > maxTokens) break;
    bars += 1;
  }
  return Math.max(0, bars - 1);
}

export function cutWindows(score: Score, encode: WindowEncoder, random: Random, options: WindowOptions = DEFAULT_WINDOW_OPTIONS): Window[] {
  const bars = barsOf(score, scoreEndTick(score));
  const onsets = onsetsPerBar(score, bars);
  const filled = onsets.map((count) => count > 0);
  const slice = barSlicer(score);
  const windows: Window[] = [];
  let start = filled.indexOf(true);
  while (start >= 0 && start + options.minBars <= bars.length) {
    const shortest = Math.max(options.minBars, Math.min(8, options.maxBars));
    const drawn = Math.min(bars.length - start, shortest + random.int(options.maxBars - shortest + 1));
    const length = boundedLength(onsets, start, drawn, options.maxTokens);
    let window: Window | undefined;
    const cut = length >= options.minBars ? slice(start, length) : undefined;
    if (cut && cut.tracks.length > 0) {
      const tokens = encode(cut, length);
      if (tokens.length <= options.maxTokens) {
        window = { fromBar: start, bars: length, score: cut, tokens };
      } else {
        // Too dense: the longest opening that fits, read off this encoding, then encoded on its own.
        const fitting = barsThatFit(tokens, options.maxTokens);
        const shorter = fitting >= options.minBars ? slice(start, fitting) : undefined;
        const shorterTokens = shorter && shorter.tracks.length > 0 ? encode(shorter, fitting) : undefined;
        if (shorter && shorterTokens && shorterTokens.length <= options.maxTokens) {
          window = { fromBar: start, bars: fitting, score: shorter, tokens: shorterTokens };
        }
      }
    }
    const filledBars = filled.slice(start, start + (window?.bars ?? options.minBars)).filter(Boolean).length;
    if (window && filledBars * 2 >= window.bars) windows.push(window);
    start += window?.bars ?? options.minBars;
  }
  if (windows.length <= options.maxWindowsPerPiece) return windows;
  const step = windows.length / options.maxWindowsPerPiece;
  return Array.from({ length: options.maxWindowsPerPiece }, (_, i) => windows[Math.floor(i * step)]);
}
