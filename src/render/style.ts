/**
 * Which finishing a prompt's style calls for (docs/RENDER.md): lo-fi takes get the tape treatment, ambient ones a
 * longer reverb, everything else is left as synthesized.
 */
import type { FinishStyle } from './finish.ts';

const FINISH_BY_GENRE: ReadonlyArray<[RegExp, FinishStyle]> = [
  [/^lo-?fi$/, 'lofi'],
  [/^(ambient|drone|new age)$/, 'ambient'],
];

export function finishForGenres(genres: readonly string[] | undefined): FinishStyle {
  for (const genre of genres ?? []) {
    for (const [pattern, finish] of FINISH_BY_GENRE) if (pattern.test(genre)) return finish;
  }
  return 'none';
}
