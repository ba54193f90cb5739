/**
 * `bun run chaos [--seed N] [--seconds S | --minutes M]`: the chaos schedule against three
 * agents, the test API server and FRR in network namespaces (root needed). Prints the seed
 * (replay with --seed), the counts and every violation; exits 1 on any violation.
 */
import { runChaos } from './engine.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seed = arg('seed') !== undefined ? Number(arg('seed')) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const seconds = arg('seconds') ? Number(arg('seconds')) : Number(arg('minutes') ?? 5) * 60;
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error('usage: bun test/chaos/chaos.ts [--seed N] [--seconds S | --minutes M]');
  process.exit(2);
}
console.log(`chaos: seed ${seed} (replay: bun run chaos --seed ${seed} --seconds ${seconds})`);
const r = await runChaos({ seed, seconds, family: 'chaos' });
console.log(
  JSON.stringify(
    {
      seed: r.seed,
      scheduleSeconds: Math.round(r.scheduleMs / 1000),
      operations: r.operations,
      faults: r.faults,
      leaderChanges: r.leaderChanges,
      statusWrites: r.statusWrites,
      ipChanges: r.ipChanges,
      convergedMs: r.convergedMs,
      routes: r.routes,
      byKind: r.byKind,
      violations: r.violations.length,
    },
    null,
    2,
  ),
);
for (const v of r.violations) console.log(`violation: ${v}`);
process.exit(r.violations.length === 0 ? 0 : 1);
