/**
 * Multihop BFD + BGP two hops away (RFC 5883, UDP 4784): the two-hop lab puts FRR (zebra +
 * bfdd + bgpd) at 192.168.3.1 behind a forwarding namespace; edgelb nodes at 192.168.2.10
 * and .11 (agents in files mode, test/support/bfd-node.ts) peer with it with eBGPMultihopTTL
 * and a BFDProfile at 300/300/3.
 * FRR shows both BFD sessions up and multihop, and the Service /32 with two paths. A silent
 * death (the worker's eth0 down, the gw's side of the bridge up) removes the worker's path
 * within 1 s and keeps pi4's; the link back up brings BFD, then BGP, then the path back.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { FrrVty } from '../bench/support/frr-vty.ts';
import { type EdgeNode, pathPeers, startBfdRouter, startEdgeNode } from '../support/bfd-node.ts';
import { missing } from '../support/env.ts';
import type { FrrBfd } from '../support/frr-bfd.ts';
import { TOPOLOGY } from '../support/netns.ts';
import { sleep, waitFor } from '../support/proc.ts';
import { createTwoHopLab, TWO_HOP, type TwoHopLab } from '../support/two-hop-lab.ts';

const skip = missing({
  root: true,
  tools: ['ip', 'curl', 'vtysh', '/usr/lib/frr/bfdd', '/usr/lib/frr/bgpd', '/usr/lib/frr/zebra'],
});
const W = TOPOLOGY.worker.v4;
const P = TOPOLOGY.pi4.v4;
const TTL = 2;
/** Detection time 900 ms plus FRR's withdrawal; the bound. */
const FAILOVER_BOUND_MS = 1000;
const POLL_MS = 20;

describe.skipIf(!!skip)('multihop BFD + BGP two hops away', () => {
  let lab: TwoHopLab;
  let frr: FrrBfd;
  let vty: FrrVty;
  const nodes: EdgeNode[] = [];
  const paths = () => pathPeers((c) => vty.command(c));

  beforeAll(async () => {
    lab = await createTwoHopLab({ family: 'bfdt' });
    frr = await startBfdRouter({
      lan: lab,
      host: 'router',
      address: TWO_HOP.router.v4,
      nodes: [W, P],
      bfd: true,
      multihopTtl: TTL,
    });
    vty = await FrrVty.connect(`${frr.dir}/bgpd.vty`);
    for (const host of ['worker', 'pi4'])
      nodes.push(
        await startEdgeNode({ lan: lab, host, peers: [TWO_HOP.router.v4], bfd: true, multihopTtl: TTL }),
      );
  }, 60_000);

  afterAll(async () => {
    vty?.close();
    await Promise.all(nodes.map((n) => n.stop()));
    await frr?.stop();
    await lab?.destroy();
  }, 30_000);

  test('FRR shows both multihop BFD sessions up and the /32 with both paths', async () => {
    for (const n of [W, P]) {
      const p = await frr.waitPeer(
        n,
        (s) => s.status === 'up' && s['remote-transmit-interval'] === 300,
        'up at 300 ms',
        30_000,
      );
      expect(p.multihop).toBe(true);
      expect(p['remote-detect-multiplier']).toBe(3);
      expect(p['remote-transmit-interval']).toBe(300);
    }
    await waitFor('two paths', async () => ((await paths()).length === 2 ? true : undefined), {
      timeoutMs: 30_000,
    }).catch(async (e: Error) => {
      throw new Error(
        `${e.message}\n${await frr.vtysh('show bgp summary')}\n${nodes[0]!.agent.log().slice(-2000)}`,
      );
    });
    expect(await paths()).toEqual([W, P].sort());
    for (const n of nodes) {
      const bfd = (await n.status())?.bgp.peers.find((p) => p.address === TWO_HOP.router.v4)?.bfd;
      expect(bfd).toMatchObject({ state: 'Up', multihop: true, txIntervalMs: 300, multiplier: 3 });
    }
  }, 70_000);

  test('silent death of the worker: its path is gone within 1 s, the other stays', async () => {
    const t0 = performance.now();
    await lab.setLink('worker', false);
    let gone = Number.NaN;
    // Bounded: 5 s of 20 ms polls.
    for (let i = 0; i < 5000 / POLL_MS; i++) {
      const ps = await paths();
      if (!ps.includes(W)) {
        gone = performance.now() - t0;
        break;
      }
      await sleep(POLL_MS);
    }
    expect(gone).toBeLessThanOrEqual(FAILOVER_BOUND_MS);
    expect(await paths()).toEqual([P]);
    expect((await frr.peer(W))?.status).toBe('down');
    expect((await frr.peer(P))?.status).toBe('up');
  }, 20_000);

  test('the link back up brings BFD, then BGP, then the path back', async () => {
    await lab.setLink('worker', true);
    await frr.waitPeer(W, (s) => s.status === 'up', 'up again', 30_000);
    await waitFor('both paths again', async () => ((await paths()).length === 2 ? true : undefined), {
      timeoutMs: 30_000,
    });
    expect(await paths()).toEqual([W, P].sort());
  }, 70_000);
});
