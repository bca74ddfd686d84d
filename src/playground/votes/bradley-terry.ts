// Bradley–Terry ratings from pairwise outcomes: P(i beats j) = σ(θᵢ − θⱼ), fitted by maximum
// likelihood with Newton's method, and shown on the Elo scale (1000 the average). With length
// control, a second factor joins: P(i beats j) = σ(θᵢ − θⱼ + β·dᵢⱼ), dᵢⱼ the difference of the log
// output-token counts of the two answers, fitted jointly, so each θ is a model's strength as if the
// answers were equally long (Chatbot Arena's style control, with one style feature).

/** The outcomes of every vote between two models: `a` beat `b`, `b` beat `a`, or they tied. */
export interface PairOutcome {
  a: string;
  b: string;
  aWins: number;
  bWins: number;
  ties: number;
}

/** Outcomes of `a` and `b` whose answers differed in length by `lengthDifference` (ln tokens of a − ln tokens of b). */
export interface LengthOutcome extends PairOutcome {
  lengthDifference: number;
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
/**
 * The length coefficient's prior, fifty times weaker than a strength's: the data decide it, yet it
 * stays finite when the longer answer won every single vote (where the likelihood alone has no maximum).
 */
const LENGTH_PRIOR_PRECISION = 0.01;
/** Elo points per unit of log-strength: a 400-point lead means odds of 10 to 1. */
const ELO_PER_UNIT = 400 / Math.LN10;
const Z_95 = 1.959963984540054;

interface Game {
  i: number;
  j: number;
  scoreOfI: number;
  count: number;
  /** The covariate of the game, 0 without length control. */
  d: number;
}

/**
 * Fits a strength to every model. A tie counts as half a win each way. The maximum of the
 * posterior is found by Newton's method (the log-likelihood is concave, and the prior makes it
 * strictly so); the 95% interval comes from the curvature there (the Fisher information).
 *
 * @example
 * fitBradleyTerry(["a", "b"], [{ a: "a", b: "b", aWins: 3, bWins: 1, ties: 0 }]).get("a"); // { rating: 1072.7, ci95: [909.9, 1235.4] }
 */
export function fitBradleyTerry(models: readonly string[], pairs: readonly PairOutcome[]): Map<string, Rating> {
  const { theta, covariance } = newton(models.length, gamesOf(models, pairs), false);
  return ratingsOf(models, theta, covariance);
}

/**
 * The same fit with the answers' relative length as a second factor: ratings as if the answers
 * had been equally long, and the length's own effect (a positive coefficient: longer answers win
 * more often; its interval holds 0 when length does not matter).
 *
 * @example
 * const { ratings, lengthEffect } = fitBradleyTerryWithLength(models, outcomes);
 */
export function fitBradleyTerryWithLength(models: readonly string[], outcomes: readonly LengthOutcome[]) {
  const { theta, covariance } = newton(models.length, gamesOf(models, outcomes), true);
  const size = models.length;
  const coefficient = theta[size]!;
  const half = Z_95 * Math.sqrt(Math.max(0, covariance[size]![size]!));
  return {
    ratings: ratingsOf(models, theta.slice(0, size), covariance),
    lengthEffect: { coefficient, ci95: [coefficient - half, coefficient + half] as [number, number] },
  };
}

function gamesOf(models: readonly string[], outcomes: readonly (PairOutcome & { lengthDifference?: number })[]): Game[] {
  const index = new Map(models.map((model, position) => [model, position]));
  return outcomes.map((outcome) => ({
    i: index.get(outcome.a)!,
    j: index.get(outcome.b)!,
    scoreOfI: outcome.aWins + outcome.ties / 2,
    count: outcome.aWins + outcome.bWins + outcome.ties,
    d: outcome.lengthDifference ?? 0,
  }));
}

/** The posterior's maximum and the inverse of its curvature there; with `covariate`, the last parameter is β. */
function newton(models: number, games: Game[], covariate: boolean) {
  const size = models + (covariate ? 1 : 0);
  const precision = Array.from({ length: size }, (_, k) => (k < models ? PRIOR_PRECISION : LENGTH_PRIOR_PRECISION));
  const theta = new Array<number>(size).fill(0);
  let information: number[][] = [];
  for (let iteration = 0; iteration < 100; iteration++) {
    // The gradient of the log-posterior, and minus its Hessian.
    const gradient = theta.map((value, k) => -precision[k]! * value);
    information = Array.from({ length: size }, (_, row) =>
      Array.from({ length: size }, (_, column) => (row === column ? precision[row]! : 0)),
    );
    for (const { i, j, scoreOfI, count, d } of games) {
      const p = 1 / (1 + Math.exp(theta[j]! - theta[i]! - (covariate ? theta[models]! * d : 0)));
      const surprise = scoreOfI - count * p;
      const weight = count * p * (1 - p);
      gradient[i]! += surprise;
      gradient[j]! -= surprise;
      information[i]![i]! += weight;
      information[j]![j]! += weight;
      information[i]![j]! -= weight;
      information[j]![i]! -= weight;
      if (!covariate) continue;
      gradient[models]! += d * surprise;
      information[models]![models]! += weight * d * d;
      for (const [k, sign] of [
        [i, 1],
        [j, -1],
      ] as const) {
        information[k]![models]! += sign * weight * d;
        information[models]![k]! += sign * weight * d;
      }
    }
    const step = solve(information, gradient);
    for (let k = 0; k < size; k++) theta[k]! += step[k]!;
    if (Math.max(0, ...step.map(Math.abs)) < 1e-12) break;
  }
  return { theta, covariance: invert(information) };
}

/** Ratings relative to the average model, on the Elo scale: the variance of θᵢ − mean(θ) from the strengths' covariance. */
function ratingsOf(models: readonly string[], theta: number[], covariance: number[][]): Map<string, Rating> {
  const size = models.length;
  const mean = theta.slice(0, size).reduce((sum, value) => sum + value, 0) / size;
  const block = covariance.slice(0, size).map((row) => row.slice(0, size));
  const total = block.flat().reduce((sum, value) => sum + value, 0);
  const ratings = new Map<string, Rating>();
  models.forEach((model, i) => {
    const rowSum = block[i]!.reduce((sum, value) => sum + value, 0);
    const variance = Math.max(0, block[i]![i]! - (2 * rowSum) / size + total / size ** 2);
    const rating = 1000 + ELO_PER_UNIT * (theta[i]! - mean);
    const half = Z_95 * ELO_PER_UNIT * Math.sqrt(variance);
    ratings.set(model, { rating, ci95: [rating - half, rating + half] });
  });
  return ratings;
}

const identity = (size: number) =>
  Array.from({ length: size }, (_, row) => Array.from({ length: size }, (_, column) => (row === column ? 1 : 0)));

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
  const columns = Array.from({ length: size }, (_, column) => solve(matrix, identity(size)[column]!));
  return Array.from({ length: size }, (_, row) => columns.map((column) => column[row]!));
}
