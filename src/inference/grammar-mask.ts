/**
 * The grammar as a processor: every token must be one the grammar allows next, so whatever is sampled, the result
 * decodes to a valid score (only header instruments play, the bar count holds).
 */
import type { DecodingState, LogitsProcessor } from './logits-processor.ts';

/**
 * Writes the grammar's set as the start of `allowed` (so it comes first among the processors that restrict), and
 * gives every token outside `allowed` -Infinity: the tokens the grammar forbids and those the processors after it
 * ruled out. Masked tokens stay -Infinity through every later processor and the sampler.
 */
export class GrammarMaskProcessor implements LogitsProcessor {
  restrict(allowed: Uint8Array, state: DecodingState): void {
    state.grammar.allowed(allowed);
  }

  process(logits: Float32Array, state: DecodingState): void {
    const allowed = state.allowed;
    for (let i = 0; i < logits.length; i++) if (allowed[i] === 0) logits[i] = -Infinity;
  }
}
