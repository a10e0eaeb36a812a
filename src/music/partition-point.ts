/**
 * The one binary search: over notes by onset, bars by start, chord spans, sorted hashes. It finds the first index in
 * [0, length) where `isBefore` turns false, for an `isBefore` that holds for a prefix of the indices and fails for
 * the rest; `length` when it holds throughout. The first note at or after tick t is
 * `partitionPoint(notes.length, (i) => notes[i].onset < t)`; the last bar starting at or before t is one less than
 * `partitionPoint(bars.length, (i) => bars[i].start <= t)`.
 */
export function partitionPoint(length: number, isBefore: (index: number) => boolean): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (isBefore(mid)) low = mid + 1;
    else high = mid;
  }
  return low;
}
