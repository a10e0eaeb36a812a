/**
 * The control metrics of text2midi (Bhandari et al., "Text2midi: Generating Symbolic Music from Captions", AAAI 2025,
 * arXiv:2412.16526), which follow MidiCaps (Melechovsky et al., 2024): does the generated piece land in the tempo bin
 * and key the caption asked for?
 *
 *   TB  - same tempo bin;                 TBT - tempo bins at most one apart;
 *   CK  - same key (tonic and mode);      CKD - same key, or its relative major/minor ("key with duplicates").
 */
import { relativeKey, sameKey, type Key } from '../../music/keys.ts';

/** Lower edges of the MidiCaps tempo bins after the first: [0,40), [40,60), ..., [160,210), [210,inf). */
export const TEMPO_BIN_EDGES = [40, 60, 70, 90, 110, 140, 160, 210] as const;

/** Index 0-8 of the tempo bin holding a BPM; an edge belongs to the bin above it. */
export function tempoBin(bpm: number): number {
  let bin = 0;
  while (bin < TEMPO_BIN_EDGES.length && bpm >= TEMPO_BIN_EDGES[bin]) bin += 1;
  return bin;
}

/** TB: the actual tempo falls in the expected tempo's bin. */
export function tempoBinMatch(expectedBpm: number, actualBpm: number): boolean {
  return tempoBin(expectedBpm) === tempoBin(actualBpm);
}

/** TBT: the actual tempo falls in the expected bin or a neighbouring one. */
export function tempoBinNearMatch(expectedBpm: number, actualBpm: number): boolean {
  return Math.abs(tempoBin(expectedBpm) - tempoBin(actualBpm)) <= 1;
}

/** CK: same tonic and mode. A piece with no detectable key (drums only) matches nothing. */
export function keyMatch(expected: Key, actual: Key | null): boolean {
  return actual !== null && sameKey(expected, actual);
}

/** CKD: same key, or the relative key (C major and A minor share their notes). */
export function keyMatchOrRelative(expected: Key, actual: Key | null): boolean {
  return actual !== null && (sameKey(expected, actual) || sameKey(relativeKey(expected), actual));
}
