// Amounts in US dollars: kept to the database's 10 decimal places, and written for people.

/** Dollars rounded to the 10 decimal places the database keeps. */
export const roundUsd = (dollars: number) => Math.round(dollars * 1e10) / 1e10;

/**
 * Dollars in words short enough to read and precise enough to tell small amounts apart: cents from
 * $1 on, 4 significant decimals from a cent, 8 below it, without trailing zeros. `round` says which
 * way the last digit goes (down for what is left of a limit, up for what a request could cost).
 *
 * @example
 * formatUsd(2) // "$2.00"; formatUsd(0.0413) // "$0.0413"; formatUsd(0) // "$0"
 */
export function formatUsd(amount: number, round: (value: number) => number = Math.round): string {
  if (amount >= 1) return `$${(round(amount * 100) / 100).toFixed(2)}`;
  const digits = amount >= 0.01 ? 4 : 8;
  return `$${(round(amount * 10 ** digits) / 10 ** digits).toFixed(digits).replace(/0+$/, "").replace(/\.$/, "")}`;
}
