/**
 * Closing a piece that a limit stopped (its token budget or its deadline): it ends after its last complete note, and
 * its header states the bars it actually has, so it decodes like any finished piece.
 */
import { GrammarState, validationError } from '../tokens/grammar.ts';
import { readHeader } from '../tokens/tokenizer.ts';
import { BAR, EOS, MAX_BARS, tokenId, tokenType } from '../tokens/vocab.ts';
import { GenerationTimeoutError } from './errors.ts';

export type FinishReason = 'eos' | 'max-tokens' | 'deadline';

/** Cuts a sequence after its last complete note where a bar or the end may follow, states the bars written, and ends it. */
export function closeEarly(tokens: readonly number[], reason: FinishReason): number[] {
  const grammar = new GrammarState();
  let cut = -1;
  let barsAtCut = 0;
  for (let i = 0; i < tokens.length; i++) {
    grammar.step(tokens[i]);
    // The last complete note: cutting there drops trailing empty bars and half-written notes alike.
    if (tokenType(tokens[i]) === 'duration' && (grammar.accepts(BAR) || grammar.accepts(EOS))) {
      cut = i;
      barsAtCut = grammar.barsWritten;
    }
  }
  if (cut < 0) {
    const why = reason === 'deadline' ? 'ran out of time' : 'reached its token limit';
    throw new GenerationTimeoutError(`The model ${why} before it wrote any music: try a shorter piece or try again later.`);
  }
  const closed = tokens.slice(0, cut + 1);
  // Whole, since a note follows it; its last token is BARS.
  const header = readHeader(tokens);
  if (!(header.bars === MAX_BARS && barsAtCut >= MAX_BARS)) closed[header.length - 1] = tokenId('bars', Math.min(MAX_BARS, barsAtCut) - 1);
  closed.push(EOS);
  const problem = validationError(closed);
  if (problem) throw new Error(`closing a piece early produced an invalid sequence: ${problem}`);
  return closed;
}
