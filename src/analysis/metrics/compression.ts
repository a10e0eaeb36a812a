/**
 * Repetition as compressibility: how much smaller DEFLATE (an LZ77 coder: it replaces repeats by back-references)
 * makes the bar-by-bar list of pitched (onset-within-bar, pitch) points. Music built from repeated bars, riffs and
 * sections compresses well; material that never repeats stays near 1.
 *
 * LZ compressibility grows with length, so the measure reads a fixed window of bars (16 by default, from the first
 * bar with a pitched note): values compare across pieces only at the same window, and a shorter piece is measured on
 * what it has. The token string holds one separator byte per bar, then two bytes (offset in ticks, MIDI pitch) per
 * note in onset-then-pitch order; drums are left out so that a steady beat does not pass for structure.
 */
import { deflateRawSync } from 'node:zlib';
import { barsOf, scoreEndTick, type Score } from '../../music/score.ts';

export const COMPRESSION_WINDOW_BARS = 16;
const BAR_SEPARATOR = 0xff;

/** Raw length / DEFLATE (raw, level 9) length of the window's token string; NaN without pitched notes. */
export function compressionRatio(score: Score, windowBars = COMPRESSION_WINDOW_BARS): number {
  const tokens = barPointTokens(score, windowBars);
  if (tokens.length === 0) return NaN;
  return tokens.length / deflateRawSync(tokens, { level: 9 }).length;
}

/** The token string described above; empty when the score has no pitched notes. */
export function barPointTokens(score: Score, windowBars = COMPRESSION_WINDOW_BARS): Uint8Array {
  const notes = score.tracks
    .filter((track) => !track.isDrum)
    .flatMap((track) => track.notes)
    .sort((a, b) => a.onset - b.onset || a.pitch - b.pitch);
  if (notes.length === 0) return new Uint8Array(0);
  const bars = barsOf(score, scoreEndTick(score));
  const barOfNote = (onset: number) => {
    let index = bars.length - 1;
    while (bars[index].start > onset) index -= 1;
    return index;
  };
  const first = barOfNote(notes[0].onset);
  const window = bars.slice(first, first + windowBars);
  const bytes: number[] = [];
  let noteIndex = 0;
  for (const bar of window) {
    bytes.push(BAR_SEPARATOR);
    while (noteIndex < notes.length && notes[noteIndex].onset < bar.start + bar.ticks) {
      const note = notes[noteIndex++];
      // Offsets fit a byte: the longest bar the grid supports (8/4) has 96 ticks.
      bytes.push(note.onset - bar.start, note.pitch);
    }
  }
  return Uint8Array.from(bytes);
}
