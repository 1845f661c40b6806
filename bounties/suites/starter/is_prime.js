/* global runCases, randomInt, randomCases, factorsOf -- from _prelude.js */
// Checker of bounty is_prime: primality of a safe integer (below 2: not prime). Large primes need a sqrt bound.
const CASES = [
  [{ n: 0 }, false],
  [{ n: 1 }, false],
  [{ n: 2 }, true],
  [{ n: 3 }, true],
  [{ n: 4 }, false],
  [{ n: 25 }, false],
  [{ n: -7 }, false],
  [{ n: 97 }, true],
  [{ n: 561 }, false],
  [{ n: 2147483647 }, true],
  [{ n: 999999999989 }, true],
];

// Cases drawn at each check, answered by the checker's own solution: a prime, a product of two
// primes and any number (a table of the fixed cases that answers false otherwise fails).
const solve = ({ n }) => n >= 2 && factorsOf(n).length === 1;
function nextPrime(n) {
  while (!solve({ n })) n++;
  return n;
}
const prime = () => ({ n: nextPrime(randomInt(2, 1e8)) });
const semiprime = () => ({ n: nextPrime(randomInt(2, 1e5)) * nextPrime(randomInt(2, 1e5)) });
const randomInput = () => ({ n: Math.random() < 0.5 ? randomInt(-10, 10000) : randomInt(1e11, 1e12) });

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...randomCases(1, prime, solve), ...randomCases(1, semiprime, solve), ...randomCases(1, randomInput, solve)]);
}
