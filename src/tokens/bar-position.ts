/**
 * Where a token stands in its bar, as a metrical model reads it (training/model.py bar_position_ids computes the
 * same for whole sequences): 0 in the header, 1 from a BAR until the bar's first position token, 2 + k from POS_k on.
 * The decoder adds an embedding of it to every input token, so the bar's clock need not be searched for in the
 * context.
 */
import { BAR, RANGES } from './vocab.ts';

/** The bar position of `token`, given that of the token before it (0 before the first token). */
export function nextBarPosition(previous: number, token: number): number {
  if (token === BAR) return 1;
  const offset = token - RANGES.position.start;
  if (offset >= 0 && offset < RANGES.position.size) return 2 + offset;
  return previous;
}

/** The bar position of every token of a sequence read from its start (a whole piece or a model window). */
export function barPositionIds(tokens: readonly number[]): number[] {
  let state = 0;
  return tokens.map((token) => (state = nextBarPosition(state, token)));
}
