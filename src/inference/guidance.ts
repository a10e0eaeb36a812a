/**
 * Classifier-free guidance (as MusicGen uses it): the decoder runs a second row with the empty caption, and the
 * conditional logits are pushed away from the unconditional ones, so the caption counts for more than the model
 * alone would give it. Scale 1 is the conditional model alone, and then no unconditional row is run at all.
 */
import type { DecodingState, LogitsProcessor } from './logits-processor.ts';

export class GuidanceProcessor implements LogitsProcessor {
  constructor(private readonly scale: number) {}

  /** uncond + scale * (cond - uncond), written into the conditional row. */
  process(logits: Float32Array, state: DecodingState): void {
    const uncond = state.unconditional;
    if (!uncond) throw new Error('guidance needs the unconditional row of the step');
    for (let i = 0; i < logits.length; i++) logits[i] = uncond[i] + this.scale * (logits[i] - uncond[i]);
  }
}
