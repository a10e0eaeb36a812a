import { describe, expect, it } from 'vitest';
import {
  GreedySampler, MultinomialSampler, TemperatureProcessor, TopKProcessor, TopPProcessor, samplingChain,
} from '../src/inference/logits.ts';
import { createRandom } from '../src/music/random.ts';

const logits = (...values: number[]) => Float32Array.from(values);
const softmax = (row: Float32Array) => {
  const max = Math.max(...row);
  const exp = Array.from(row, (x) => Math.exp(x - max));
  const total = exp.reduce((a, b) => a + b, 0);
  return exp.map((x) => x / total);
};

describe('sampling processors', () => {
  it('divides by the temperature, so a lower one sharpens the distribution', () => {
    const row = logits(1, 2, 4);
    new TemperatureProcessor(0.5).process(row);
    expect(Array.from(row)).toEqual([2, 4, 8]);
    expect(softmax(row)[2]).toBeGreaterThan(softmax(logits(1, 2, 4))[2]);
    expect(() => new TemperatureProcessor(0)).toThrow(RangeError);
  });

  it('keeps the k best with top-k', () => {
    const row = logits(0.1, 3, -Infinity, 2, 5, 1);
    new TopKProcessor(2).process(row);
    expect(Array.from(row)).toEqual([-Infinity, 3, -Infinity, -Infinity, 5, -Infinity]);
  });

  it('keeps the smallest set reaching p with top-p, and always the best token', () => {
    // probabilities 0.6, 0.3, 0.1 (as logits of their logs)
    const row = logits(Math.log(0.3), Math.log(0.6), Math.log(0.1));
    new TopPProcessor(0.85).process(row);
    expect(Number.isFinite(row[0]) && Number.isFinite(row[1])).toBe(true);
    expect(row[2]).toBe(-Infinity);
    const narrow = logits(Math.log(0.3), Math.log(0.6), Math.log(0.1));
    new TopPProcessor(0.5).process(narrow);
    expect(Array.from(narrow).filter(Number.isFinite)).toHaveLength(1);
    expect(narrow[1]).toBeCloseTo(Math.log(0.6));
  });
});

describe('samplers', () => {
  it('greedy picks the best allowed token', () => {
    expect(new GreedySampler().sample(logits(1, -Infinity, 3, 3))).toBe(2);
    expect(() => new GreedySampler().sample(logits(-Infinity, -Infinity))).toThrow();
  });

  it('multinomial draws follow softmax and never a masked token; the same seed gives the same draws', () => {
    const row = logits(Math.log(0.5), -Infinity, Math.log(0.3), Math.log(0.2));
    const sampler = new MultinomialSampler();
    const random = createRandom(42);
    const counts = [0, 0, 0, 0];
    const draws: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const id = sampler.sample(row, random);
      counts[id] += 1;
      if (i < 50) draws.push(id);
    }
    expect(counts[1]).toBe(0);
    expect(counts[0] / 20000).toBeCloseTo(0.5, 1);
    expect(counts[2] / 20000).toBeCloseTo(0.3, 1);
    expect(counts[3] / 20000).toBeCloseTo(0.2, 1);
    const again = createRandom(42);
    expect(Array.from({ length: 50 }, () => sampler.sample(row, again))).toEqual(draws);
  });

  it('builds the chain from options: greedy at temperature 0, top-k and top-p only when on', () => {
    expect(samplingChain({ temperature: 0, topK: 5, topP: 0.9, guidance: 3 }).sampler).toBeInstanceOf(GreedySampler);
    const chain = samplingChain({ temperature: 0.8, topK: 0, topP: 0.9, guidance: 1 });
    expect(chain.processors.map((p) => p.constructor.name)).toEqual(['TemperatureProcessor', 'TopPProcessor']);
    expect(samplingChain({ temperature: 1, topK: 20, topP: 1, guidance: 1 }).processors.map((p) => p.constructor.name))
      .toEqual(['TemperatureProcessor', 'TopKProcessor']);
  });
});
