/**
 * The generated FRR configuration in the real daemons (zebra + bgpd + bfdd) with two edgelb
 * nodes: MD5 sessions establish, both nodes' paths of each pool IP (IPv4 and IPv6) are
 * installed in the router's kernel (ECMP), an IP outside the pools is refused, and the BFD
 * sessions bgpd registers from `neighbor X bfd profile lab` come Up with the nodes' BfdManager.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { missing } from '../support/env.ts';
import type { FrrBfdPeerStatus } from '../support/frr-bfd.ts';
import { waitFor } from '../support/proc.ts';
import { type Daemons, kernelNextHops, startFrrWith } from './daemons.ts';
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

const why = missing({
  root: true,
  tools: ['ip', 'vtysh', '/usr/lib/frr/bgpd', '/usr/lib/frr/zebra', '/usr/lib/frr/bfdd'],
});

describe.skipIf(!!why)('router-config --for frr in FRR', () => {
  let lab: Lab;
  let frr: Daemons;

  beforeAll(async () => {
    lab = await startLab({
      family: 'rcfgf',
      target: 'frr',
      bfd: PROFILE,
      async startRouter(lan, config) {
        frr = await startFrrWith(lan, 'router', config);
        return frr;
      },
    });
  }, 60_000);

  afterAll(async () => {
    await lab?.destroy();
  }, 30_000);

  const json = async <T>(cmd: string) => JSON.parse(await frr.cli(cmd)) as T;
  const explain = (err: Error) => {
    throw new Error(`${err.message}\n${frr.log()}\nconfig:\n${lab.config}`);
  };

  test('the generated config has the BFD profile with the router-side timers', () => {
    expect(lab.config).toContain('neighbor 192.168.2.10 bfd profile lab');
    // The router sends at the node's receive interval and accepts at its transmit interval.
    expect(lab.config).toContain('  receive-interval 100\n  transmit-interval 200');
  });

  test('both MD5 sessions establish', async () => {
    for (const a of NODE_ADDRS) {
      await waitFor(
        `FRR neighbour ${a} Established`,
        async () => {
          const d = await json<Record<string, { bgpState?: string }>>(`show bgp neighbors ${a} json`);
          return d[a]?.bgpState === 'Established';
        },
        { timeoutMs: 30_000 },
      ).catch(explain);
    }
    for (const host of NODES) await lab.speakers.get(host)!.waitEstablished(router.v4, 10_000);
  }, 40_000);

  test('each pool IP is installed with both nodes as next hops (ECMP), IPv4 and IPv6', async () => {
    for (const [prefix, want] of [
      [IN_POOL.v4, NODE_ADDRS],
      [IN_POOL.v6, NODE_ADDRS6],
    ] as const) {
      await waitFor(
        `kernel ECMP route ${prefix}`,
        async () => JSON.stringify(await kernelNextHops(lab.lan, 'router', prefix)) === JSON.stringify(want),
        { timeoutMs: 20_000 },
      ).catch(async (err: Error) => {
        explain(new Error(`${err.message}: ${await kernelNextHops(lab.lan, 'router', prefix)}`));
      });
    }
  }, 45_000);

  test('an IP outside the pools is refused by the route-map though both nodes announce it', async () => {
    for (const host of NODES) expect(lab.speakers.get(host)!.last()?.advertised).toContain(OUTSIDE.v4);
    const v4 = await json<{ paths?: unknown[] }>(`show bgp ipv4 unicast ${OUTSIDE.v4} json`);
    const v6 = await json<{ paths?: unknown[] }>(`show bgp ipv6 unicast ${OUTSIDE.v6} json`);
    expect(v4.paths ?? []).toEqual([]);
    expect(v6.paths ?? []).toEqual([]);
    expect(await kernelNextHops(lab.lan, 'router', OUTSIDE.v4)).toEqual([]);
    // The same sessions did carry the pool IPs: the filter, not the session, made the difference.
    const sum = await json<{ ipv4Unicast?: { peers?: Record<string, { pfxRcd?: number }> } }>(
      'show bgp summary json',
    );
    for (const a of NODE_ADDRS) expect(sum.ipv4Unicast?.peers?.[a]?.pfxRcd).toBe(1);
  });

  test("bfdd's sessions to both nodes come Up with the profile's timers", async () => {
    for (const a of NODE_ADDRS) {
      const p = await waitFor(
        `bfdd peer ${a} up`,
        async () => {
          const peers = await json<FrrBfdPeerStatus[]>('show bfd peers json');
          return peers.find((x) => x.peer === a && x.status === 'up');
        },
        { timeoutMs: 20_000 },
      ).catch(explain);
      expect(p!['transmit-interval']).toBe(PROFILE.receiveIntervalMs);
      expect(p!['receive-interval']).toBe(PROFILE.transmitIntervalMs);
      expect(p!['detect-multiplier']).toBe(PROFILE.detectMultiplier);
    }
    for (const host of NODES)
      await lab.bfd.get(host)!.waitPeer(router.v4, (s) => s.state === 'Up', 'Up', 10_000);
  }, 45_000);
});
