import { describe, expect, it } from 'vitest';
import { Generation } from '../src/inference/generation.ts';
import { applyKeyPrior, keyPriorBias } from '../src/inference/key-prior.ts';
import { keyIndex } from '../src/music/keys.ts';
import { DRUMS } from '../src/music/score.ts';
import { tempoTokens } from '../src/tokens/tokenizer.ts';
import { BAR, BOS, RANGES, VOCAB_SIZE, tokenId, tokenValue } from '../src/tokens/vocab.ts';

const D_MINOR_KEY = { tonic: 2, mode: 'minor' } as const;
const D_MINOR = tokenId('key', keyIndex(D_MINOR_KEY));
const FOUR_FOUR = tokenId('timeSignature', 2);

describe('the key prior', () => {
  it('favours the tonic, then the scale, and makes chromatic notes rare', () => {
    const bias = keyPriorBias(D_MINOR_KEY, 1)!;
    expect(bias[2]).toBeCloseTo(0); // D, the tonic
    expect(bias[9]).toBeGreaterThan(-0.1); // A, the fifth
    expect(bias[5]).toBeLessThan(-0.4); // F, the minor third
    expect(bias[5]).toBeGreaterThan(-1);
    expect(bias[1]).toBeLessThan(-1); // C#, the leading tone: in the profile, but less common
    expect(bias[3]).toBeLessThan(-3); // Eb, chromatic
    expect(keyPriorBias(D_MINOR_KEY, 0.5)![3]).toBeCloseTo(bias[3] / 2);
  });

  it('is off at strength 0 and for music without a key', () => {
    expect(keyPriorBias(D_MINOR_KEY, 0)).toBeUndefined();
    expect(keyPriorBias(null, 1)).toBeUndefined();
  });

  it('touches pitch tokens only, never drum hits', () => {
    const logits = new Float32Array(VOCAB_SIZE);
    applyKeyPrior(logits, keyPriorBias(D_MINOR_KEY, 1)!);
    expect(logits[tokenId('pitch', 63)] - logits[tokenId('pitch', 62)]).toBeLessThan(-3); // Eb4 against D4
    for (let id = RANGES.drum.start; id < RANGES.drum.start + RANGES.drum.size; id++) expect(logits[id]).toBe(0);
  });

  it('chooses among pitches but leaves the chance of playing a note as the model gave it', () => {
    const softmax = (row: Float32Array) => {
      const max = Math.max(...row);
      const exps = row.map((value) => Math.exp(value - max));
      const total = exps.reduce((sum, value) => sum + value, 0);
      return exps.map((value) => value / total);
    };
    const pitchMass = (probs: Float32Array) => probs.slice(RANGES.pitch.start, RANGES.pitch.start + RANGES.pitch.size).reduce((sum, p) => sum + p, 0);
    const row = new Float32Array(VOCAB_SIZE).fill(-Infinity);
    row[BAR] = 1;
    row[tokenId('pitch', 63)] = 2; // Eb4, chromatic in D minor
    row[tokenId('pitch', 61)] = 0.5; // C#4
    row[tokenId('pitch', 62)] = 0; // D4
    const before = softmax(row);
    applyKeyPrior(row, keyPriorBias(D_MINOR_KEY, 2)!);
    const after = softmax(row);
    expect(pitchMass(after)).toBeCloseTo(pitchMass(before), 6);
    expect(after[BAR]).toBeCloseTo(before[BAR], 6);
    expect(after[tokenId('pitch', 62)]).toBeGreaterThan(after[tokenId('pitch', 63)]);
    expect(row[tokenId('pitch', 60)]).toBe(-Infinity); // a masked pitch stays masked
  });

  it('turns a narrow preference for a chromatic note into the scale tone, as the header key is written', () => {
    const header = [BOS, FOUR_FOUR, ...tempoTokens(90), D_MINOR, tokenId('instrument', 0), tokenId('instrument', DRUMS), tokenId('bars', 3), BAR];
    const pitchStep = (keyPrior: number) => {
      const generation = new Generation({
        textIds: [1], spec: { barsRange: [4, 16], maxInstruments: 6 }, forced: [...header, tokenId('position', 0), tokenId('instrument', 0)],
        seed: 1, sampling: { temperature: 0, topK: 0, topP: 1, guidance: 1, keyPrior }, maxNewTokens: 100,
        deadline: Date.now() + 60_000, contextLimit: 1024,
      }, VOCAB_SIZE);
      expect(generation.decide()).toBe('feed');
      const row = new Float32Array(VOCAB_SIZE);
      row[tokenId('pitch', 63)] = 11; // the model leans to Eb
      row[tokenId('pitch', 62)] = 10;
      return tokenValue(generation.choose(row));
    };
    expect(pitchStep(0)).toBe(63);
    expect(pitchStep(1)).toBe(62);
  });
});
