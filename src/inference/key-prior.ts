/**
 * A soft key prior for decoding: once the header names a key, every pitch token gets a logit bonus from that key's
 * pitch-class profile (the Albrecht-Shanahan profile that key detection uses, docs/ANALYSIS.md), scaled by a
 * strength. At strength 1 the model's distribution is multiplied by the profile itself: the tonic is favoured over
 * other scale tones by a little, and chromatic notes stay possible but become rare unless the model is sure of them.
 *
 * Why: a small model reads the key token in its header but follows it weakly (docs/EVAL.md measures both), while a
 * musician asking for "D minor" expects to hear D minor. The prior only reweights the pitches the model proposes; it
 * never chooses a note by itself, never changes how likely a note is at all, and strength 0 turns it off.
 */
import { DEFAULT_KEY_PROFILE } from '../analysis/key-detection.ts';
import type { Key } from '../music/keys.ts';
import { readHeader } from '../tokens/tokenizer.ts';
import { RANGES } from '../tokens/vocab.ts';
import type { DecodingState, LogitsProcessor } from './logits-processor.ts';

/** Logit bonus per pitch class (C = 0) for music in `key`; undefined when there is none to follow (no key, strength 0). */
export function keyPriorBias(key: Key | null, strength: number): Float32Array | undefined {
  if (!(strength > 0) || !key) return undefined;
  const profile = key.mode === 'major' ? DEFAULT_KEY_PROFILE.major : DEFAULT_KEY_PROFILE.minor;
  const peak = Math.max(...profile);
  const bias = new Float32Array(12);
  for (let pc = 0; pc < 12; pc++) bias[pc] = strength * Math.log(profile[(pc - key.tonic + 12) % 12] / peak);
  return bias;
}

/**
 * Adds the bias to the pitch tokens of one row of logits (drum tokens are a separate range and stay as they are),
 * then shifts them all by one amount so that their total probability is what the model gave it: the prior chooses
 * among pitches, never between playing a note and anything else (a bar line, a position, the end), so it does not
 * thin the music out.
 */
export function applyKeyPrior(logits: Float32Array, bias: Float32Array): void {
  const { start, size } = RANGES.pitch;
  const before = logSumExp(logits, start, size);
  if (before === -Infinity) return;
  for (let pitch = 0; pitch < size; pitch++) logits[start + pitch] += bias[pitch % 12];
  const shift = before - logSumExp(logits, start, size);
  for (let pitch = 0; pitch < size; pitch++) logits[start + pitch] += shift;
}

function logSumExp(values: Float32Array, start: number, size: number): number {
  let max = -Infinity;
  for (let i = start; i < start + size; i++) max = Math.max(max, values[i]);
  if (max === -Infinity) return max;
  let sum = 0;
  for (let i = start; i < start + size; i++) sum += Math.exp(values[i] - max);
  return max + Math.log(sum);
}

/** The prior in the body of a piece, from the key its header states (stated by the request or sampled). */
export class KeyPriorProcessor implements LogitsProcessor {
  private bias: Float32Array | undefined;
  private headerRead = false;

  constructor(private readonly strength: number) {}

  process(logits: Float32Array, state: DecodingState): void {
    if (state.headerEnd === 0) return;
    if (!this.headerRead) {
      this.bias = keyPriorBias(readHeader(state.tokens).key ?? null, this.strength);
      this.headerRead = true;
    }
    if (this.bias) applyKeyPrior(logits, this.bias);
  }
}
