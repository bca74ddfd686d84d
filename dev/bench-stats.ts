// Order statistics for the benchmark's samples.

/** The p-th percentile (0 to 100), interpolated between the closest ranks; NaN for no samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const below = sorted[Math.floor(rank)] as number;
  const above = sorted[Math.ceil(rank)] as number;
  return below + (above - below) * (rank - Math.floor(rank));
}

export const median = (samples: number[]) => percentile(samples, 50);

/** Rounded for the report: sub-millisecond noise is not a finding. */
export const round = (value: number, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : Number.NaN);
