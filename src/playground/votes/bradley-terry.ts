// Bradley–Terry ratings from pairwise outcomes: P(i beats j) = σ(θᵢ − θⱼ), fitted by maximum
// likelihood with Newton's method, and shown on the Elo scale (1000 the average).

/** The outcomes of every vote between two models: `a` beat `b`, `b` beat `a`, or they tied. */
export interface PairOutcome {
  a: string;
  b: string;
  aWins: number;
  bWins: number;
  ties: number;
}

export interface Rating {
  rating: number;
  ci95: [number, number];
}

/**
 * The prior: each strength is drawn from N(0, 1/PRIOR_PRECISION), worth about two tied games
 * against an average model. It keeps an unbeaten model finite and pulls a model with few votes
 * toward the average; with many votes it no longer matters.
 */
const PRIOR_PRECISION = 0.5;
/** Elo points per unit of log-strength: a 400-point lead means odds of 10 to 1. */
const ELO_PER_UNIT = 400 / Math.LN10;
const Z_95 = 1.959963984540054;

/**
 * Fits a strength to every model. A tie counts as half a win each way. The maximum of the
 * posterior is found by Newton's method (the log-likelihood is concave, and the prior makes it
 * strictly so); the 95% interval comes from the curvature there (the Fisher information).
 *
 * @example
 * fitBradleyTerry(["a", "b"], [{ a: "a", b: "b", aWins: 3, bWins: 1, ties: 0 }]).get("a"); // { rating: 1072.7, ci95: [909.9, 1235.4] }
 */
export function fitBradleyTerry(models: readonly string[], pairs: readonly PairOutcome[]): Map<string, Rating> {
  const size = models.length;
  const index = new Map(models.map((model, position) => [model, position]));
  const games = pairs.map((pair) => ({
    i: index.get(pair.a)!,
    j: index.get(pair.b)!,
    scoreOfI: pair.aWins + pair.ties / 2,
    count: pair.aWins + pair.bWins + pair.ties,
  }));
  const theta = new Array<number>(size).fill(0);
  let information = identity(size, PRIOR_PRECISION);
  for (let iteration = 0; iteration < 100; iteration++) {
    // The gradient of the log-posterior, and minus its Hessian.
    const gradient = theta.map((value) => -PRIOR_PRECISION * value);
    information = identity(size, PRIOR_PRECISION);
    for (const { i, j, scoreOfI, count } of games) {
      const p = 1 / (1 + Math.exp(theta[j]! - theta[i]!));
      const surprise = scoreOfI - count * p;
      gradient[i]! += surprise;
      gradient[j]! -= surprise;
      const weight = count * p * (1 - p);
      information[i]![i]! += weight;
      information[j]![j]! += weight;
      information[i]![j]! -= weight;
      information[j]![i]! -= weight;
    }
    const step = solve(information, gradient);
    for (let k = 0; k < size; k++) theta[k]! += step[k]!;
    if (Math.max(0, ...step.map(Math.abs)) < 1e-12) break;
  }

  // Ratings relative to the average model: the variance of θᵢ − mean(θ).
  const covariance = invert(information);
  const mean = theta.reduce((sum, value) => sum + value, 0) / size;
  const total = covariance.flat().reduce((sum, value) => sum + value, 0);
  const ratings = new Map<string, Rating>();
  models.forEach((model, i) => {
    const rowSum = covariance[i]!.reduce((sum, value) => sum + value, 0);
    const variance = Math.max(0, covariance[i]![i]! - (2 * rowSum) / size + total / size ** 2);
    const rating = 1000 + ELO_PER_UNIT * (theta[i]! - mean);
    const half = Z_95 * ELO_PER_UNIT * Math.sqrt(variance);
    ratings.set(model, { rating, ci95: [rating - half, rating + half] });
  });
  return ratings;
}

const identity = (size: number, scale: number) =>
  Array.from({ length: size }, (_, row) => Array.from({ length: size }, (_, column) => (row === column ? scale : 0)));

/** x with A·x = b, for a symmetric positive definite A (Gaussian elimination; a few dozen models at most). */
function solve(matrix: number[][], vector: number[]): number[] {
  const size = vector.length;
  const a = matrix.map((row, r) => [...row, vector[r]!]);
  for (let pivot = 0; pivot < size; pivot++) {
    for (let row = pivot + 1; row < size; row++) {
      const factor = a[row]![pivot]! / a[pivot]![pivot]!;
      for (let column = pivot; column <= size; column++) a[row]![column]! -= factor * a[pivot]![column]!;
    }
  }
  const x = new Array<number>(size).fill(0);
  for (let row = size - 1; row >= 0; row--) {
    let sum = a[row]![size]!;
    for (let column = row + 1; column < size; column++) sum -= a[row]![column]! * x[column]!;
    x[row] = sum / a[row]![row]!;
  }
  return x;
}

/** A⁻¹, column by column. */
function invert(matrix: number[][]): number[][] {
  const size = matrix.length;
  const columns = Array.from({ length: size }, (_, column) => solve(matrix, identity(size, 1)[column]!));
  return Array.from({ length: size }, (_, row) => columns.map((column) => column[row]!));
}
