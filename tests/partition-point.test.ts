import { describe, expect, it } from 'vitest';
import { partitionPoint } from '../src/music/partition-point.ts';

describe('partitionPoint', () => {
  it('finds the first index where a sorted array stops being below the target, as a linear scan does', () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let run = 0; run < 300; run++) {
      const sorted = Array.from({ length: Math.floor(random() * 12) }, () => Math.floor(random() * 8)).sort((a, b) => a - b);
      const target = Math.floor(random() * 10) - 1;
      const linear = sorted.findIndex((value) => value >= target);
      expect(partitionPoint(sorted.length, (i) => sorted[i] < target), `${sorted} / ${target}`).toBe(linear < 0 ? sorted.length : linear);
    }
  });
});
