/**
 * How many leading tokens of a composition the engine decided rather than the model's free choice: the header (its
 * slots are forced or narrowed to the request's attributes) and, for a variation, extension or continuation, the
 * forced prefix it starts from. Preference training never learns from these (docs/PREFERENCES.md).
 */
import { headerLength } from '../tokens/tokenizer.ts';
import type { Composition } from './engine.ts';

export function forcedTokenCount(composition: Pick<Composition, 'tokens' | 'timings'>): number {
  // timings.tokens counts the tokens written after the forced ones, so the rest were forced.
  const forcedPrefix = composition.tokens.length - composition.timings.tokens;
  return Math.max(headerLength(composition.tokens), forcedPrefix);
}
