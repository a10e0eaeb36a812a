/**
 * Sampling, the end of the processor list (logits-processor.ts): temperature sharpens or flattens one row of logits,
 * top-k and top-p narrow it, and a sampler picks a token from what is left. Masked tokens are -Infinity, so every
 * step here ignores them.
 */
import type { Random } from '../music/random.ts';
import type { LogitsProcessor } from './logits-processor.ts';

export class TemperatureProcessor implements LogitsProcessor {
  constructor(private readonly temperature: number) {
    if (!(temperature > 0)) throw new RangeError(`temperature must be above 0 (use greedy sampling for 0), not ${temperature}`);
  }

  process(logits: Float32Array): void {
    if (this.temperature === 1) return;
    for (let i = 0; i < logits.length; i++) logits[i] /= this.temperature;
  }
}

/** Indices of the finite logits, best first (ties by lower index, so the order never depends on the sort). */
function rankedFinite(logits: Float32Array, scratch: number[]): number[] {
  scratch.length = 0;
  for (let i = 0; i < logits.length; i++) if (logits[i] > -Infinity) scratch.push(i);
  return scratch.sort((a, b) => logits[b] - logits[a] || a - b);
}

/** Keeps the k most likely tokens. */
export class TopKProcessor implements LogitsProcessor {
  private readonly ranked: number[] = [];

  constructor(private readonly k: number) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`top-k must be a positive integer, not ${k}`);
  }

  process(logits: Float32Array): void {
    const ranked = rankedFinite(logits, this.ranked);
    for (let r = this.k; r < ranked.length; r++) logits[ranked[r]] = -Infinity;
  }
}

/** Nucleus sampling: keeps the fewest most likely tokens whose probabilities add up to at least p. */
export class TopPProcessor implements LogitsProcessor {
  private readonly ranked: number[] = [];

  constructor(private readonly p: number) {
    if (!(p > 0 && p <= 1)) throw new RangeError(`top-p must be in (0, 1], not ${p}`);
  }

  process(logits: Float32Array): void {
    if (this.p === 1) return;
    const ranked = rankedFinite(logits, this.ranked);
    if (ranked.length === 0) return;
    const max = logits[ranked[0]];
    let total = 0;
    for (const id of ranked) total += Math.exp(logits[id] - max);
    let kept = 0;
    let r = 0;
    for (; r < ranked.length; r++) {
      kept += Math.exp(logits[ranked[r]] - max) / total;
      if (kept >= this.p) break;
    }
    for (let drop = r + 1; drop < ranked.length; drop++) logits[ranked[drop]] = -Infinity;
  }
}

export interface Sampler {
  sample(logits: Float32Array, random: Random): number;
}

/** The most likely token (the lowest id among equals); draws nothing from the generator. */
export class GreedySampler implements Sampler {
  sample(logits: Float32Array): number {
    let best = -1;
    for (let i = 0; i < logits.length; i++) if (logits[i] > -Infinity && (best < 0 || logits[i] > logits[best])) best = i;
    if (best < 0) throw new Error('no token is left to sample: every logit is masked');
    return best;
  }
}

/** Draws a token from softmax(logits) with one number from the generator. */
export class MultinomialSampler implements Sampler {
  sample(logits: Float32Array, random: Random): number {
    let max = -Infinity;
    for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
    if (max === -Infinity) throw new Error('no token is left to sample: every logit is masked');
    let total = 0;
    for (let i = 0; i < logits.length; i++) if (logits[i] > -Infinity) total += Math.exp(logits[i] - max);
    let threshold = random.next() * total;
    let last = -1;
    for (let i = 0; i < logits.length; i++) {
      if (logits[i] === -Infinity) continue;
      last = i;
      threshold -= Math.exp(logits[i] - max);
      if (threshold < 0) return i;
    }
    return last;
  }
}

export interface SamplingOptions {
  /** 0 means greedy. */
  temperature: number;
  /** 0 turns top-k off. */
  topK: number;
  /** 1 turns top-p off. */
  topP: number;
  /** Classifier-free guidance scale; 1 means the conditional model alone (no unconditional row). */
  guidance: number;
  /** Strength of the key prior on pitches once the header names a key (key-prior.ts); 0 or absent turns it off. */
  keyPrior?: number;
}

/** The sampling processors, in order (they end the processor list), and the sampler that follows them. */
export function samplingChain(options: SamplingOptions): { processors: LogitsProcessor[]; sampler: Sampler } {
  if (options.temperature === 0) return { processors: [], sampler: new GreedySampler() };
  const processors: LogitsProcessor[] = [new TemperatureProcessor(options.temperature)];
  if (options.topK > 0) processors.push(new TopKProcessor(options.topK));
  if (options.topP < 1) processors.push(new TopPProcessor(options.topP));
  return { processors, sampler: new MultinomialSampler() };
}
