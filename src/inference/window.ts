/**
 * The sliding window for pieces longer than the model's context: the header, then the last whole bars that fit in
 * the budget. The header's meter and tempo are set to those in force where the window starts, so the model reads the
 * window as a piece of its own, as in training. The grammar keeps following the whole sequence; only the model's
 * view is cut.
 */
import { TIME_SIGNATURES } from '../music/grid.ts';
import { decodeHeader, encodeHeader, headerLength } from '../tokens/tokenizer.ts';
import { BAR, TEMPO_TENS_MIN, tokenType, tokenValue } from '../tokens/vocab.ts';

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
  const header = decodeHeader(tokens);
  const inForce = stateBefore(tokens, headerEnd, start);
  if (inForce.timeSignature) header.timeSignature = inForce.timeSignature;
  if (inForce.bpm !== undefined) header.bpm = inForce.bpm;
  return [...encodeHeader(header), ...tokens.slice(start)];
}

/** The last meter and tempo the body sets before `end` (undefined when it sets none). */
function stateBefore(tokens: readonly number[], from: number, end: number): { timeSignature?: [number, number]; bpm?: number } {
  const state: { timeSignature?: [number, number]; bpm?: number } = {};
  for (let i = from; i < end; i++) {
    const type = tokenType(tokens[i]);
    if (type === 'timeSignature') state.timeSignature = [...TIME_SIGNATURES[tokenValue(tokens[i])]] as [number, number];
    else if (type === 'tempoTens' && i + 1 < end) state.bpm = (tokenValue(tokens[i]) + TEMPO_TENS_MIN) * 10 + tokenValue(tokens[i + 1]);
  }
  return state;
}
