/** What writes the music of a take, as the jobs see it: a narrow view of the engine, so that tests can pass their own. */
import { getEngine, type ComposeRequest, type Composition, type Continuation, type ContinueOptions, type ParentPiece, type Restyle, type RestyleOptions, type Variation } from '../inference/index.ts';
import type { Score } from '../music/score.ts';
import type { SamplingOptions } from '../inference/logits.ts';

/** Writes music: a new piece, a variation of one, or a longer one. `MotifEngine` is one. */
export interface Composer {
  /** The sampling its takes are composed with (each take records it, for preference training). */
  readonly sampling: SamplingOptions;
  compose(request: ComposeRequest): Promise<Composition>;
  vary(parent: ParentPiece, instruction: string, options?: { seed?: number; signal?: AbortSignal }): Promise<Variation>;
  extend(parent: ParentPiece, bars: number, options?: { seed?: number; signal?: AbortSignal }): Promise<Composition>;
  /** A person's piece unchanged, then new bars (/continue). */
  continuePiece(parent: ParentPiece, bars: number, options?: ContinueOptions): Promise<Continuation>;
  /** A person's melody kept, the rest new from a prompt (/restyle). */
  restyle(score: Score, prompt: string, options?: RestyleOptions): Promise<Restyle>;
}

/** The process's model (src/inference, MOTIF_MODEL_DIR), loaded once. */
export function loadComposer(): Promise<Composer> {
  return getEngine();
}
