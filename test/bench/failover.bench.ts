/**
 * `bun run bench:failover` — how long a LoadBalancer IP is unreachable when the node serving it
 * fails, end to end in network namespaces. Not a test: it prints each part's figures next to
 * their targets and exits 0 even when a target is missed.
 *
 * Parts (each in test/bench/failover/<name>.ts, run in this order):
 * - l2: L2 mode, silent owner deaths, time until the client's TCP connection succeeds through the
 *   new owner; heartbeat API writes per second.
 * - bfd: BGP with BFD, silent node deaths, time until FRR removes the path, against the hold
 *   timer; the idle CPU of an agent with 4 BFD sessions.
 *
 * Options: --parts l2,bfd (comma-separated, default all)  --deaths 20
 */
import { parseArgs } from 'node:util';
import { missing } from '../support/env.ts';
import { stopAll } from '../support/proc.ts';
import { bfdPart } from './failover/bfd.ts';
import { l2Part } from './failover/l2.ts';
import type { FailoverPart } from './failover/part.ts';
import { formatTable } from './support/stats.ts';

const PARTS: FailoverPart[] = [l2Part, bfdPart];

const { values } = parseArgs({
  options: {
    parts: { type: 'string', default: PARTS.map((p) => p.name).join(',') },
    deaths: { type: 'string', default: '20' },
  },
});

const why = missing({ root: true, tools: ['ip'] });
if (why) {
  console.log(`bench:failover skipped: ${why}`);
  process.exit(0);
}

const chosen = values.parts.split(',').filter(Boolean);
const unknown = chosen.filter((n) => !PARTS.some((p) => p.name === n));
if (unknown.length > 0) {
  console.error(`unknown part(s): ${unknown.join(', ')} (known: ${PARTS.map((p) => p.name).join(', ')})`);
  process.exit(2);
}

const started = performance.now();
try {
  for (const part of PARTS.filter((p) => chosen.includes(p.name))) {
    const t0 = performance.now();
    console.log(`\n## ${part.name}: ${part.title}\n`);
    const result = await part.run({ deaths: Number(values.deaths), log: (s) => console.log(`  ${s}`) });
    console.log(`\n${formatTable(result.rows)}`);
    for (const n of result.notes) console.log(`- ${n}`);
    console.log(`(${part.name} took ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
} finally {
  await stopAll();
}
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exit(0);
