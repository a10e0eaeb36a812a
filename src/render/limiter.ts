/**
 * A look-ahead peak limiter, stereo-linked, applied in place: the gain starts falling 5 ms before a peak that would
 * pass the ceiling, reaches exactly what that peak needs when it arrives, and recovers over about 100 ms.
 */
import type { StereoAudio } from './synthesize.ts';

const LOOKAHEAD_SECONDS = 0.005;
const RELEASE_SECONDS = 0.1;

/** Limits both channels to `ceiling` (linear); returns the deepest gain reduction as a factor (1 = untouched). */
export function limitPeaks(audio: StereoAudio, ceiling: number): number {
  const { left, right } = audio;
  const length = left.length;
  // The samples over the ceiling and the gain each needs: few, in music brought to a loudness target.
  const overs: number[] = [];
  const needs: number[] = [];
  let deepest = 1;
  for (let i = 0; i < length; i++) {
    const level = Math.max(Math.abs(left[i]), Math.abs(right[i]));
    if (level <= ceiling) continue;
    overs.push(i);
    needs.push(ceiling / level);
    deepest = Math.min(deepest, ceiling / level);
  }
  if (overs.length === 0) return 1;
  const window = Math.max(1, Math.round(LOOKAHEAD_SECONDS * audio.sampleRate));
  const ahead = leastNeededAhead(length, overs, needs, window + 1);
  const release = 1 - Math.exp(-1 / (RELEASE_SECONDS * audio.sampleRate));
  // A trailing average of the look-ahead minimum is at most what each peak needs when that peak arrives.
  // Before the start the average counts what the first window needs, so that a peak in the first 5 ms is held too.
  let sum = (window + 1) * ahead[0];
  let gain = 1;
  for (let i = 0; i < length; i++) {
    const leaving = i - window - 1;
    sum += ahead[i] - (leaving >= 0 ? ahead[leaving] : ahead[0]);
    const smoothed = sum / (window + 1);
    gain = Math.min(smoothed, gain + (1 - gain) * release);
    left[i] *= gain;
    right[i] *= gain;
  }
  return deepest;
}

/**
 * out[i] = the least gain needed by samples i .. i + span - 1 (1 where none of them is over). A few overs each lower
 * the windows that reach them; many are done in linear time by the van Herk / Gil-Werman block method.
 */
function leastNeededAhead(length: number, overs: number[], needs: number[], span: number): Float32Array {
  const out = new Float32Array(length).fill(1);
  if (overs.length * span <= length) {
    overs.forEach((over, k) => {
      for (let i = Math.max(0, over - span + 1); i <= over; i++) out[i] = Math.min(out[i], needs[k]);
    });
    return out;
  }
  const values = new Float32Array(length).fill(1);
  overs.forEach((over, k) => (values[over] = needs[k]));
  const prefix = new Float32Array(length);
  const suffix = new Float32Array(length);
  for (let start = 0; start < length; start += span) {
    const end = Math.min(length, start + span);
    prefix[start] = values[start];
    for (let i = start + 1; i < end; i++) prefix[i] = Math.min(prefix[i - 1], values[i]);
    suffix[end - 1] = values[end - 1];
    for (let i = end - 2; i >= start; i--) suffix[i] = Math.min(suffix[i + 1], values[i]);
  }
  for (let start = 0; start < length; start += span) {
    const end = Math.min(length, start + span);
    if (end === length) {
      // The last block: every window in it is cut off at the end, inside the block.
      for (let i = start; i < end; i++) out[i] = suffix[i];
      break;
    }
    // A window from a block's first value is that block; from any later one it ends in the next block.
    out[start] = suffix[start];
    for (let i = start + 1; i < end; i++) out[i] = Math.min(suffix[i], prefix[i + span - 1 < length ? i + span - 1 : length - 1]);
  }
  return out;
}
