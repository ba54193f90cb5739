/**
 * Seeded, fixed-size property runs: every `fc.assert` takes `seeded(numRuns)`, so the suite
 * runs the same cases on every machine and a failure reproduces.
 *
 * - PROPERTY_SEED=<n> runs every property from seed n instead of the fixed one;
 * - PROPERTY_PATH=<path> (with the seed, and `-t` to pick the test) replays the one shrunk
 *   case fast-check printed as `{ seed: …, path: "…" }`;
 * - PROPERTY_RUNS=<n> runs n cases per property instead of each test's own count (a deeper
 *   run by hand; CI keeps the fixed counts).
 *
 * No time limits: a property that takes too long is a failure to look at, not a silent
 * cut-off that makes the number of cases depend on the machine's load.
 */
export const DEFAULT_SEED = 20261206;

function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`${name}=${v}: not an integer`);
  return n;
}

let logged = false;

export interface SeededParameters {
  seed: number;
  numRuns: number;
  path?: string;
  endOnFailure?: boolean;
}

/** fast-check parameters with a fixed (or PROPERTY_SEED) seed and a fixed number of runs. */
export function seeded(numRuns: number, seed: number = DEFAULT_SEED): SeededParameters {
  const s = envInt('PROPERTY_SEED') ?? seed;
  const runs = envInt('PROPERTY_RUNS') ?? numRuns;
  const path = process.env.PROPERTY_PATH || undefined;
  if (!logged) {
    logged = true;
    console.log(
      `property tests: seed ${s}${path ? ` path ${path}` : ''} (rerun one: PROPERTY_SEED=<seed> PROPERTY_PATH=<path> bun test <file> -t <name>)`,
    );
  }
  return path ? { seed: s, numRuns: runs, path, endOnFailure: true } : { seed: s, numRuns: runs };
}
