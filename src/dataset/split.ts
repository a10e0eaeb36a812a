/** Train / validation / test by song: a stable hash of the song id and the seed decides, so no song spans two splits. */
import { createHash } from 'node:crypto';

export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];

export interface SplitFractions {
  validation: number;
  test: number;
}

export const DEFAULT_SPLIT_FRACTIONS: SplitFractions = { validation: 0.04, test: 0.04 };

export function splitOf(songId: string, seed: number, fractions: SplitFractions = DEFAULT_SPLIT_FRACTIONS): Split {
  const digest = createHash('sha1').update(`${seed}:${songId}`).digest();
  const unit = digest.readUInt32BE(0) / 2 ** 32;
  if (unit < fractions.test) return 'test';
  if (unit < fractions.test + fractions.validation) return 'validation';
  return 'train';
}
