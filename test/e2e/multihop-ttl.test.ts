/**
 * eBGPMultihopTTL, behaviour (issue 16): FRR two hops away (test/support/two-hop-lab.ts, a
 * forwarding namespace between). The node with eBGPMultihopTTL: 2 reaches it and FRR holds
 * its path; the node without (eBGP single hop, TTL 1) never does: its SYN dies at the gw, FRR
 * never sees the session, and the node's /status says why it is down.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
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
/** Several connect retries (1 s each) of the single-hop node. */
const NEVER_MS = 5000;

describe.skipIf(!!skip)('eBGPMultihopTTL against FRR two hops away', () => {
  let lab: TwoHopLab;
  let frr: FrrBfd;
  const nodes: EdgeNode[] = [];

  beforeAll(async () => {
    lab = await createTwoHopLab({ family: 'mhttl' });
    // FRR accepts both at ebgp-multihop 2: only the node's own TTL decides.
    frr = await startBfdRouter({
      lan: lab,
      host: 'router',
      address: TWO_HOP.router.v4,
      nodes: [W, P],
      bfd: false,
      multihopTtl: 2,
    });
    nodes.push(
      await startEdgeNode({
        lan: lab,
        host: 'worker',
        peers: [TWO_HOP.router.v4],
        bfd: false,
        multihopTtl: 2,
      }),
    );
    nodes.push(await startEdgeNode({ lan: lab, host: 'pi4', peers: [TWO_HOP.router.v4], bfd: false }));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await frr?.stop();
    await lab?.destroy();
  }, 30_000);

  test('TTL 2 reaches the router and announces; TTL 1 never gets there', async () => {
    const vty = (c: string) => frr.vtysh(c);
    await waitFor('the worker path', async () => ((await pathPeers(vty)).includes(W) ? true : undefined), {
      timeoutMs: 30_000,
    }).catch(async (e: Error) => {
      throw new Error(
        `${e.message}\n${await frr.vtysh('show bgp summary')}\n${nodes[0]!.agent.log().slice(-2000)}`,
      );
    });
    const w = await nodes[0]!.status();
    expect(w?.bgp.peers[0]?.state).toBe('Established');
    await sleep(NEVER_MS);
    expect(await pathPeers(vty)).toEqual([W]);
    const summary = JSON.parse(await frr.vtysh('show bgp ipv4 unicast summary json')) as {
      peers?: Record<string, { state?: string; connectionsEstablished?: number }>;
    };
    expect(summary.peers?.[P]?.state).not.toBe('Established');
    const p = await nodes[1]!.status();
    expect(p?.bgp.peers[0]?.state).not.toBe('Established');
    // The gw answers the TTL-1 SYN with ICMP time exceeded: the connect fails, in words.
    expect(p?.bgp.peers[0]?.lastError?.message ?? '').toStartWith('connect failed: ');
    expect(p?.bgp.peers[0]?.messagesIn).toBe(0);
  }, 60_000);
});
