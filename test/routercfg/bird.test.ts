/**
 * The generated BIRD 2 configuration in the real daemon with two edgelb nodes: MD5 sessions
 * establish, `merge paths` installs both nodes' paths of each pool IP (IPv4 and IPv6) in the
 * router's kernel (ECMP), an IP outside the pools is refused by the import filter, and the
 * BFD sessions the BGP protocols request come Up with the nodes' BfdManager.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { missing } from '../support/env.ts';
import { waitFor } from '../support/proc.ts';
import { type Daemons, kernelNextHops, startBirdWith } from './daemons.ts';
import {
  IN_POOL,
  type Lab,
  NODE_ADDRS,
  NODE_ADDRS6,
  NODES,
  OUTSIDE,
  PROFILE,
  router,
  startLab,
} from './lab.ts';

const why = missing({ root: true, tools: ['ip', 'bird', 'birdc'] });

describe.skipIf(!!why)('router-config --for bird in BIRD 2', () => {
  let lab: Lab;
  let bird: Daemons;

  beforeAll(async () => {
    lab = await startLab({
      family: 'rcfgb',
      target: 'bird',
      bfd: PROFILE,
      async startRouter(lan, config) {
        bird = await startBirdWith(lan, 'router', config);
        return bird;
      },
    });
  }, 60_000);

  afterAll(async () => {
    await lab?.destroy();
  }, 30_000);

  const explain = (err: Error) => {
    throw new Error(`${err.message}\n${bird.log()}\nconfig:\n${lab.config}`);
  };

  test('both MD5 sessions establish', async () => {
    for (const host of NODES) {
      await waitFor(
        `BIRD edgelb_${host} Established`,
        async () => (await bird.cli(`show protocols edgelb_${host}`)).includes('Established'),
        { timeoutMs: 30_000 },
      ).catch(explain);
      await lab.speakers.get(host)!.waitEstablished(router.v4, 10_000);
    }
  }, 40_000);

  test('each pool IP is installed with both nodes as next hops (merge paths), IPv4 and IPv6', async () => {
    for (const [prefix, want] of [
      [IN_POOL.v4, NODE_ADDRS],
      [IN_POOL.v6, NODE_ADDRS6],
    ] as const) {
      await waitFor(
        `kernel ECMP route ${prefix}`,
        async () => JSON.stringify(await kernelNextHops(lab.lan, 'router', prefix)) === JSON.stringify(want),
        { timeoutMs: 20_000 },
      ).catch(async (err: Error) =>
        explain(
          new Error(
            `${err.message}: ${await kernelNextHops(lab.lan, 'router', prefix)}\n${await bird.cli(`show route all ${prefix}`)}`,
          ),
        ),
      );
    }
  }, 45_000);

  test('an IP outside the pools is refused by the import filter though both nodes announce it', async () => {
    for (const host of NODES) expect(lab.speakers.get(host)!.last()?.advertised).toContain(OUTSIDE.v4);
    for (const p of [OUTSIDE.v4, OUTSIDE.v6]) {
      expect(await bird.cli(`show route ${p}`)).toContain('Network not found');
      expect(await kernelNextHops(lab.lan, 'router', p)).toEqual([]);
    }
    // The filter rejected it on import: BIRD counts it per channel.
    const stats = await bird.cli('show protocols all edgelb_worker');
    expect(stats).toMatch(/Import updates:\s+\d+\s+0\s+(\d+)/);
    const rejected = Number(/Import updates:\s+\d+\s+0\s+(\d+)/.exec(stats)?.[1]);
    expect(rejected).toBeGreaterThanOrEqual(1);
  });

  // BIRD sends every 200 ms (the node's receive interval) and times out after the node's 4 x 100 ms.
  test('the BFD sessions BIRD requests come Up with both nodes at the profile timers', async () => {
    const sessions = () => bird.cli('show bfd sessions');
    for (const a of NODE_ADDRS) {
      await waitFor(
        `BIRD BFD session ${a} Up`,
        async () =>
          (await sessions())
            .split('\n')
            .some((l) => l.startsWith(a) && /\sUp\s.*\s0\.200\s+0\.400$/.test(l.trim())),
        { timeoutMs: 20_000 },
      ).catch(async (err: Error) => explain(new Error(`${err.message}\n${await sessions()}`)));
    }
    for (const host of NODES)
      await lab.bfd.get(host)!.waitPeer(router.v4, (s) => s.state === 'Up', 'Up', 10_000);
  }, 45_000);
});
