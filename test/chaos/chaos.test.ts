/**
 * The CI chaos run: 60 s of the seeded random schedule (Service/EndpointSlice/pool edits, agent
 * SIGKILL and SIGTERM restarts, API 500 bursts, dropped watches, forced 410s, API hangs and
 * single-node partitions) against three agents, the test API server and FRR, then convergence.
 * Zero violations of the invariants in monitor.ts. Replay a failure with the printed seed:
 * `bun run chaos --seed N --seconds 60` (or CHAOS_SEED=N for this file).
 */
import { describe, expect, test } from 'bun:test';
import { IN_CI, missing } from '../support/env.ts';
import { runChaos } from './engine.ts';
import { Prng } from './prng.ts';

const why = missing({ root: true, tools: ['ip', '/usr/lib/frr/bgpd', 'vtysh'] });

describe('chaos PRNG', () => {
  test('a seed replays the same sequence; another seed does not', () => {
    const seq = (seed: number) => {
      const r = new Prng(seed);
      return Array.from({ length: 8 }, () => r.int(0, 1_000_000));
    };
    expect(seq(42)).toEqual(seq(42));
    expect(seq(42)).not.toEqual(seq(43));
    const r = new Prng(7);
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 4000; i++) counts[r.weighted({ a: 3, b: 1 })]++;
    expect(counts.a / 4000).toBeGreaterThan(0.7);
    expect(counts.a / 4000).toBeLessThan(0.8);
  });
});

/** A schedule that passed: 122 operations, 19 faults, 4 leader changes. */
const CI_SEED = 785404836;

describe.skipIf(!!why)('chaos (CI length)', () => {
  test('60 s of faults and churn: 0 violations, converges, FRR has exactly the expected routes', async () => {
    // CI gates on one reproducible schedule; elsewhere every run draws a new one.
    const seed = process.env.CHAOS_SEED
      ? Number(process.env.CHAOS_SEED) >>> 0
      : IN_CI
        ? CI_SEED
        : (Date.now() ^ (process.pid << 16)) >>> 0;
    console.log(`chaos: seed ${seed} (replay: bun run chaos --seed ${seed} --seconds 60)`);
    const r = await runChaos({ seed, seconds: 60, family: 'chaci', convergeMs: 45_000 });
    console.log(
      `chaos: seed ${r.seed}: ${r.operations} operations, ${r.faults} faults, ${r.leaderChanges} leader changes, ` +
        `${r.statusWrites} status writes, ${r.ipChanges} IP changes, converged in ${r.convergedMs} ms, ` +
        `${r.routes} routes, ${r.violations.length} violations`,
    );
    expect(r.violations).toEqual([]);
    expect(r.convergedMs).toBeDefined();
    // The run really exercised things: otherwise "0 violations" proves nothing.
    expect(r.operations).toBeGreaterThan(50);
    expect(r.faults).toBeGreaterThan(5);
    expect(r.statusWrites).toBeGreaterThan(10);
    expect(r.routes).toBeGreaterThan(0);
  }, 170_000);
});
