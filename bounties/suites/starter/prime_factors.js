/* global runCases, randomInt, randomCases, factorsOf -- from _prelude.js */
// Checker of bounty prime_factors: the prime factors of n >= 1, ascending, with multiplicity.
const CASES = [
  [{ n: 1 }, []],
  [{ n: 2 }, [2]],
  [{ n: 12 }, [2, 2, 3]],
  [{ n: 97 }, [97]],
  [{ n: 360 }, [2, 2, 2, 3, 3, 5]],
  [{ n: 1024 }, [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]],
  [{ n: 600851475143 }, [71, 839, 1471, 6857]],
  [{ n: 999999999989 }, [999999999989]],
];

// Cases drawn at each check, answered by the checker's own solution.
const randomInput = () => ({ n: randomInt(1, 1e9) });
const solve = ({ n }) => factorsOf(n);

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...randomCases(3, randomInput, solve)]);
}
