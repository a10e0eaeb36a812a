/** Distribution summaries of a metric over many pieces (the reference table, the evaluation report). */

export interface Summary {
  /** Pieces with a finite value; NaN values (nothing to measure) are left out. */
  count: number;
  mean: number;
  /** Population standard deviation (numpy's default, ddof = 0). */
  std: number;
  p10: number;
  p50: number;
  p90: number;
}

export function summarize(values: readonly number[]): Summary {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  const count = finite.length;
  if (count === 0) return { count, mean: NaN, std: NaN, p10: NaN, p50: NaN, p90: NaN };
  const mean = finite.reduce((sum, value) => sum + value, 0) / count;
  const variance = finite.reduce((sum, value) => sum + (value - mean) ** 2, 0) / count;
  return {
    count,
    mean,
    std: Math.sqrt(variance),
    p10: percentile(finite, 10),
    p50: percentile(finite, 50),
    p90: percentile(finite, 90),
  };
}

/** Percentile of sorted values with linear interpolation between ranks (numpy's default method). */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}
