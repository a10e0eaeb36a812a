/**
 * The generated sources (chord charts, progressions, drum grids, assembled arrangements), in build order.
 * `assembled` comes last: its count is set from the tokens of everything before it (docs/ASSEMBLED.md).
 */
import type { SourceExample } from '../example.ts';
import { assembled } from './assembled.ts';
import { jazzStandards } from './jazz-standards.ts';
import { moodProgressions } from './mood-progressions.ts';
import { tidalDrums } from './tidal-drums.ts';

export interface PartSource {
  name: string;
  /** True when every example is an arrangement assembled from parts (kept under the assembled share). */
  assembled: boolean;
  open(dataDir: string, options: { limit?: number; seed: number }): AsyncIterable<SourceExample>;
}

export const PART_SOURCES: PartSource[] = [
  { name: 'jazz-standards', assembled: false, open: jazzStandards },
  { name: 'mood-progressions', assembled: false, open: moodProgressions },
  { name: 'tidal-drums', assembled: false, open: tidalDrums },
  { name: 'assembled', assembled: true, open: assembled },
];
