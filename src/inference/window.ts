/**
 * The sliding window for pieces longer than the model's context: the header, then the last whole bars that fit in
 * the budget. The header's meter and tempo are set to those in force where the window starts, so the model reads the
 * window as a piece of its own, as in training. The grammar keeps following the whole sequence; only the model's
 * view is cut.
 */
import { BAR, RANGES, tokenType } from '../tokens/vocab.ts';

/** Index just past the header's BARS token. */
export function headerLength(tokens: readonly number[]): number {
  const index = tokens.findIndex((id) => tokenType(id) === 'bars');
  if (index < 0) throw new RangeError('the sequence has no complete header');
  return index + 1;
}

/**
 * The model's view of `tokens` in at most `budget` tokens: header + the body from the earliest bar line that fits;
 * if not even the current bar fits, from its latest position token that does; failing that, the plain tail.
 */
export function slidingWindow(tokens: readonly number[], budget: number): number[] {
  if (tokens.length <= budget) return [...tokens];
  const headerEnd = headerLength(tokens);
  const room = budget - headerEnd;
  if (room < 1) throw new RangeError(`a window of ${budget} tokens cannot hold the ${headerEnd}-token header`);
  const earliest = tokens.length - room;
  let start = -1;
  for (let i = earliest; i < tokens.length && start < 0; i++) if (tokens[i] === BAR) start = i;
  for (let i = earliest; i < tokens.length && start < 0; i++) if (tokenType(tokens[i]) === 'position') start = i;
  if (start < 0) start = earliest;
  const header = tokens.slice(0, headerEnd);
  const inForce = stateBefore(tokens, headerEnd, start);
  if (inForce.meter >= 0) header[header.findIndex((id) => tokenType(id) === 'timeSignature')] = inForce.meter;
  if (inForce.tens >= 0) {
    const tens = header.findIndex((id) => tokenType(id) === 'tempoTens');
    header[tens] = inForce.tens;
    header[tens + 1] = inForce.ones;
  }
  return [...header, ...tokens.slice(start)];
}

/** The last meter and tempo tokens of the body before `end` (-1 when none). */
function stateBefore(tokens: readonly number[], from: number, end: number): { meter: number; tens: number; ones: number } {
  const state = { meter: -1, tens: -1, ones: -1 };
  for (let i = from; i < end; i++) {
    const id = tokens[i];
    if (id >= RANGES.timeSignature.start && id < RANGES.timeSignature.start + RANGES.timeSignature.size) state.meter = id;
    else if (id >= RANGES.tempoTens.start && id < RANGES.tempoTens.start + RANGES.tempoTens.size && i + 1 < end) {
      state.tens = id;
      state.ones = tokens[i + 1];
    }
  }
  return state;
}
