/** What writes the music of a take, as the jobs see it: a narrow view of the engine, so that tests can pass their own. */
import { getEngine, type ComposeRequest, type Composition, type ParentPiece, type Variation } from '../inference/index.ts';
import type { SamplingOptions } from '../inference/logits.ts';

/** Writes music: a new piece, a variation of one, or a longer one. `MotifEngine` is one. */
export interface Composer {
  /** The sampling its takes are composed with (each take records it, for preference training). */
  readonly sampling: SamplingOptions;
  compose(request: ComposeRequest): Promise<Composition>;
  vary(parent: ParentPiece, instruction: string, options?: { seed?: number; signal?: AbortSignal }): Promise<Variation>;
  extend(parent: ParentPiece, bars: number, options?: { seed?: number; signal?: AbortSignal }): Promise<Composition>;
}

/** The process's model (src/inference, MOTIF_MODEL_DIR), loaded once. */
export function loadComposer(): Promise<Composer> {
  return getEngine();
}
