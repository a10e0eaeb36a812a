/**
 * Generation as a list of logits processors that compose, in the shape of transformers.js: each processor sees the
 * sequence so far and this step's logits and changes them in place; the generation runs the list in order, then its
 * sampler picks a token from what is left.
 *
 * Unlike transformers.js, a processor may also rule tokens out before the model is called (`restrict`): a token the
 * grammar or the request forbids is out whatever the logits say, and a step with one token left is taken without
 * calling the model at all (forced header slots, the BAR after BARS), which keeps those tokens out of the sampler's draws.
 */
import type { GrammarState } from '../tokens/grammar.ts';

/** The grammar as processors read it: what may come next and where the bar stands. They never step it. */
export type GrammarView = Pick<GrammarState, 'allowed' | 'inFinalBar' | 'positionsLeft' | 'instrument'>;

/** What a processor may read of its generation at a step. Processors must not change it. */
export interface DecodingState {
  /**
   * The whole sequence so far, BOS first, whatever part of it the model sees. It only grows, so a processor that
   * follows it can remember how far it has read.
   */
  readonly tokens: readonly number[];
  /** Index just past the header's BARS token; 0 while the header is being written. */
  readonly headerEnd: number;
  /** The grammar after `tokens`. */
  readonly grammar: GrammarView;
  /** The tokens that may come next (1), as every `restrict` left them before the model was called. */
  readonly allowed: Uint8Array;
  /** With classifier-free guidance, the unconditional row's logits for this step; else undefined. */
  readonly unconditional: Float32Array | undefined;
}

export interface LogitsProcessor {
  /**
   * Before the model is called: clears the entries of `allowed` (1 = may come next) for the tokens this processor
   * rules out for certain. `allowed` starts as the grammar's set (the grammar processor writes it) and each processor
   * after it in the list narrows it.
   */
  restrict?(allowed: Uint8Array, state: DecodingState): void;
  /** After the model is called: changes this step's logits (the conditional row, one value per token) in place. */
  process?(logits: Float32Array, state: DecodingState): void;
}
