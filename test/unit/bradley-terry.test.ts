// The leaderboard's ratings: a Bradley–Terry fit with a prior, on the Elo scale around 1000.
import { describe, expect, it } from "vitest";
import {
  fitBradleyTerry,
  fitBradleyTerryWithLength,
  type LengthOutcome,
  type PairOutcome,
} from "../../src/playground/votes/bradley-terry.ts";

const ELO_PER_UNIT = 400 / Math.LN10;
const PRIOR_PRECISION = 0.5;
const Z_95 = 1.959963984540054;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

const games = (a: string, b: string, aWins: number, bWins: number, ties = 0): PairOutcome => ({ a, b, aWins, bWins, ties });

const ratingsOf = (models: string[], pairs: PairOutcome[]) => {
  const fit = fitBradleyTerry(models, pairs);
  return models.map((model) => fit.get(model)!.rating);
};

describe("fitBradleyTerry", () => {
  it("rates two models that only ever tied at exactly 1000 each", () => {
    const fit = fitBradleyTerry(["a", "b"], [games("a", "b", 0, 0, 5)]);

    expect(fit.get("a")!.rating).toBe(1000);
    expect(fit.get("b")!.rating).toBe(1000);
  });

  it("finds the maximum of the posterior that a hand-solved case predicts", () => {
    // a beat b 3 times and lost once. By symmetry θb = −θa, and the posterior is maximal where
    // 3 − 4·σ(2θa) − 0.5·θa = 0: solved here by Newton's method on that one equation.
    let theta = 0;
    for (let step = 0; step < 50; step++) {
      const p = sigmoid(2 * theta);
      theta -= (3 - 4 * p - PRIOR_PRECISION * theta) / (-8 * p * (1 - p) - PRIOR_PRECISION);
    }
    // θa − mean(θ) = (θa − θb)/2, and θa − θb has variance 2 / (0.5 + 2w), w = 4·p·(1 − p) the games' weight.
    const p = sigmoid(2 * theta);
    const weight = 4 * p * (1 - p);
    const half = Z_95 * ELO_PER_UNIT * Math.sqrt(1 / (2 * (PRIOR_PRECISION + 2 * weight)));

    const fit = fitBradleyTerry(["a", "b"], [games("a", "b", 3, 1)]);

    const a = fit.get("a")!;
    expect(a.rating).toBeCloseTo(1000 + ELO_PER_UNIT * theta, 6);
    expect(fit.get("b")!.rating).toBeCloseTo(1000 - ELO_PER_UNIT * theta, 6);
    expect(a.ci95[0]).toBeCloseTo(a.rating - half, 6);
    expect(a.ci95[1]).toBeCloseTo(a.rating + half, 6);
  });

  it("keeps the average rating at 1000, whatever the results", () => {
    const models = ["a", "b", "c", "d"];
    const ratings = ratingsOf(models, [games("a", "b", 7, 2, 1), games("b", "c", 4, 4), games("c", "d", 9, 0), games("a", "d", 1, 3, 2)]);

    const mean = ratings.reduce((sum, rating) => sum + rating, 0) / ratings.length;
    expect(mean).toBeCloseTo(1000, 9);
    expect(new Set(ratings).size).toBe(4);
  });

  it("gives an interval around each rating that narrows as games add up", () => {
    const width = (rating: { ci95: [number, number] }) => rating.ci95[1] - rating.ci95[0];
    const few = fitBradleyTerry(["a", "b"], [games("a", "b", 3, 1)]).get("a")!;
    const many = fitBradleyTerry(["a", "b"], [games("a", "b", 300, 100)]).get("a")!;

    for (const { rating, ci95 } of [few, many]) {
      expect(ci95[0]).toBeLessThan(rating);
      expect(ci95[1]).toBeGreaterThan(rating);
    }
    expect(width(many)).toBeLessThan(width(few) / 5);
  });

  it("recovers the order of models that beat each other in that order", () => {
    const models = ["c", "a", "b"];
    const fit = fitBradleyTerry(models, [games("a", "b", 70, 30), games("b", "c", 70, 30), games("a", "c", 85, 15)]);

    const ranked = [...fit].sort(([, x], [, y]) => y.rating - x.rating).map(([model]) => model);
    expect(ranked).toEqual(["a", "b", "c"]);
  });

  it("counts a tie as half a win each way", () => {
    expect(fitBradleyTerry(["a", "b"], [games("a", "b", 0, 0, 2)])).toEqual(fitBradleyTerry(["a", "b"], [games("a", "b", 1, 1)]));
    expect(fitBradleyTerry(["a", "b"], [games("a", "b", 3, 1, 2)])).toEqual(fitBradleyTerry(["a", "b"], [games("a", "b", 4, 2)]));
  });
});

describe("fitBradleyTerryWithLength", () => {
  const LONGER = Math.log(2);
  const outcome = (a: string, b: string, lengthDifference: number, aWins: number, bWins: number): LengthOutcome => ({
    a,
    b,
    lengthDifference,
    aWins,
    bWins,
    ties: 0,
  });
  const models = ["a", "b", "c"];

  it("rates models that differ only in length alike, when the longer answer always wins", () => {
    // a writes the longer answer in 80% of its games, b and c in half of theirs; the longer always wins.
    const outcomes = [
      outcome("a", "b", LONGER, 80, 0),
      outcome("a", "b", -LONGER, 0, 20),
      outcome("a", "c", LONGER, 80, 0),
      outcome("a", "c", -LONGER, 0, 20),
      outcome("b", "c", LONGER, 50, 0),
      outcome("b", "c", -LONGER, 0, 50),
    ];
    const plain = ratingsOf(models, outcomes);
    const { ratings, lengthEffect } = fitBradleyTerryWithLength(models, outcomes);
    const controlled = models.map((model) => ratings.get(model)!.rating);

    expect(plain[0]! - plain[1]!).toBeGreaterThan(200);
    expect(controlled[0]! - controlled[1]!).toBeLessThan(40);
    expect(Math.abs(controlled[1]! - controlled[2]!)).toBeLessThan(1e-6);
    expect(lengthEffect.coefficient).toBeGreaterThan(1);
    expect(lengthEffect.ci95[0]).toBeGreaterThan(0);
  });

  it("matches the plain fit, with an interval holding 0, when length does not matter", () => {
    // Each pair's results are the same whichever answer was longer.
    const outcomes = [
      outcome("a", "b", LONGER, 30, 20),
      outcome("a", "b", -LONGER, 30, 20),
      outcome("a", "c", LONGER, 35, 15),
      outcome("a", "c", -LONGER, 35, 15),
      outcome("b", "c", LONGER, 28, 22),
      outcome("b", "c", -LONGER, 28, 22),
    ];
    const { ratings, lengthEffect } = fitBradleyTerryWithLength(models, outcomes);

    expect(lengthEffect.ci95[0]).toBeLessThan(0);
    expect(lengthEffect.ci95[1]).toBeGreaterThan(0);
    const plain = ratingsOf(models, outcomes);
    expect(models.map((model) => ratings.get(model)!.rating)).toEqual(plain.map((rating) => expect.closeTo(rating, 6)));
  });

  it("recovers a length effect it was given, on top of real differences", () => {
    // b is truly stronger than a by 0.5 in log-odds, and each doubling of length adds 1.
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    const games = 10_000;
    const outcomes = [LONGER, -LONGER, 0].map((d) => {
      const aWins = Math.round(games * sigmoid(-0.5 + d / LONGER));
      return outcome("a", "b", d, aWins, games - aWins);
    });
    const { ratings, lengthEffect } = fitBradleyTerryWithLength(["a", "b"], outcomes);

    expect(lengthEffect.coefficient * LONGER).toBeCloseTo(1, 1);
    expect(ratings.get("b")!.rating - ratings.get("a")!.rating).toBeCloseTo((0.5 * 400) / Math.LN10, -1);
  });
});
