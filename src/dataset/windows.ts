/**
 * Cuts a piece into training windows: 4 to 16 whole bars on bar lines, each short enough for the model's context.
 * Long songs give several windows; a dense stretch gets a shorter window rather than being dropped.
 */
import { barsOf, scoreEndTick, sliceBars, type Score } from '../music/score.ts';
import type { Random } from '../music/random.ts';

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

function barHasOnset(score: Score, start: number, end: number): boolean {
  return score.tracks.some((track) => track.notes.some((note) => note.onset >= start && note.onset < end));
}

export function cutWindows(score: Score, encode: WindowEncoder, random: Random, options: WindowOptions = DEFAULT_WINDOW_OPTIONS): Window[] {
  const bars = barsOf(score, scoreEndTick(score));
  const filled = bars.map((bar) => barHasOnset(score, bar.start, bar.start + bar.ticks));
  const windows: Window[] = [];
  let start = filled.indexOf(true);
  while (start >= 0 && start + options.minBars <= bars.length) {
    const shortest = Math.max(options.minBars, Math.min(8, options.maxBars));
    let length = Math.min(bars.length - start, shortest + random.int(options.maxBars - shortest + 1));
    let window: Window | undefined;
    while (length >= options.minBars) {
      const slice = sliceBars(score, start, length);
      if (slice.tracks.length === 0) break;
      const tokens = encode(slice, length);
      if (tokens.length <= options.maxTokens) {
        window = { fromBar: start, bars: length, score: slice, tokens };
        break;
      }
      // Shrink in proportion to the overflow, at least by one bar.
      length = Math.min(length - 1, Math.floor((length * options.maxTokens) / tokens.length));
    }
    const filledBars = filled.slice(start, start + (window?.bars ?? options.minBars)).filter(Boolean).length;
    if (window && filledBars * 2 >= window.bars) windows.push(window);
    start += window?.bars ?? options.minBars;
  }
  if (windows.length <= options.maxWindowsPerPiece) return windows;
  const step = windows.length / options.maxWindowsPerPiece;
  return Array.from({ length: options.maxWindowsPerPiece }, (_, i) => windows[Math.floor(i * step)]);
}
