/**
 * The converter corpus at FRR: for each case, `edgelb convert` writes the objects, one agent in
 * files mode runs them with the case's Services, and FRR must hold exactly the expected table
 * (prefixes, communities, large communities, MED, AS path). Covers two advertisements giving
 * one range two community sets toward one peer, and a per-Service prepend in the AS path.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cases, loadCase, type Row, sortRows } from '../convert/corpus.ts';
import { BUN, MAIN, runCli } from '../support/cli.ts';
import { missing } from '../support/env.ts';
import { type Frr, type FrrPath, startFrr } from '../support/frr.ts';
import { createLan, type Lan, TOPOLOGY } from '../support/netns.ts';
import { type Proc, waitFor } from '../support/proc.ts';

const why = missing({ root: true, tools: ['ip', '/usr/lib/frr/bgpd', 'vtysh'] });

/** FRR prints RFC 1997 well-known communities by name. */
const WELL_KNOWN: Record<string, string> = {
  'no-export': '65535:65281',
  'no-advertise': '65535:65282',
  'local-AS': '65535:65283',
  'no-peer': '65535:65284',
  blackhole: '65535:666',
  'graceful-shutdown': '65535:0',
};

/** FRR sees the path from the node; the table names the router that receives it. */
function rowOf(prefix: string, p: FrrPath): Row {
  return {
    peer: TOPOLOGY.router.v4,
    prefix,
    communities: p.communities.map((c) => WELL_KNOWN[c] ?? c).sort(),
    large: [...p.largeCommunities].sort(),
    med: p.med,
    asPath: p.asPath,
  };
}

async function frrRows(frr: Frr): Promise<Row[]> {
  const rows: Row[] = [];
  for (const prefix of (await frr.prefixes('ipv4')).keys())
    for (const p of await frr.paths(prefix)) rows.push(rowOf(prefix, p));
  return sortRows(rows);
}

describe.skipIf(!!why)('converter corpus at FRR', () => {
  let lan: Lan;
  let frr: Frr;
  let agent: Proc | undefined;

  beforeAll(async () => {
    lan = await createLan({ family: 'e2ec', hosts: { router: TOPOLOGY.router, worker: TOPOLOGY.worker } });
    frr = await startFrr(lan, 'router', {
      asn: 65000,
      routerId: TOPOLOGY.router.v4,
      neighbors: [
        {
          address: TOPOLOGY.worker.v4,
          remoteAs: 65001,
          timers: { keepalive: 3, hold: 9 },
          connectRetrySeconds: 1,
        },
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await agent?.stop(3000);
    await frr?.stop().catch(() => {});
    await lan?.destroy();
  }, 30_000);

  for (const name of cases())
    test(`${name}: FRR holds the expected table`, async () => {
      const c = loadCase(name);
      const dir = join(lan.dir, name);
      const manifests = join(dir, 'manifests');
      mkdirSync(manifests, { recursive: true });
      const converted = runCli(['convert', '-f', join(c.dir, 'input.yaml')]);
      expect(converted.stderr).toBe('');
      expect(converted.code).toBe(0);
      writeFileSync(join(manifests, 'converted.yaml'), converted.stdout);
      writeFileSync(join(manifests, 'services.yaml'), c.services);
      writeFileSync(
        join(dir, 'config.yaml'),
        `source: files\nnodeName: worker\nfiles:\n  manifests: ${manifests}\n  state: ${join(dir, 'state.json')}\nbgp:\n  shutdown: withdraw\nhttp:\n  listen: 127.0.0.1:9180\nlog:\n  level: debug\n`,
      );
      agent = lan.spawn('worker', [BUN, MAIN, 'run', '--config', join(dir, 'config.yaml')], {
        name: `edgelb@${name}`,
        logPath: join(dir, 'agent.log'),
      });
      const expected = c.expected.filter((r) => r.peer === TOPOLOGY.router.v4);
      const want = JSON.stringify(expected);
      let got: Row[] = [];
      try {
        await waitFor(
          `FRR table of ${name}`,
          async () => {
            got = await frrRows(frr);
            return JSON.stringify(got) === want ? true : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 500 },
        ).catch(() => {});
        expect(got).toEqual(expected);
      } finally {
        await agent.stop(5000);
        agent = undefined;
      }
      await waitFor('FRR empty', async () => ((await frr.prefixes('ipv4')).size === 0 ? true : undefined), {
        timeoutMs: 10_000,
      });
    }, 60_000);
});
