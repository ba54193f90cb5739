/**
 * FRR's bgpd asks bfdd (through zebra) for a BFD session per `neighbor X bfd`: the router side
 * the BGP coupling will meet. Here bgpd has the neighbour configured but no BGP session is
 * up; the BFD session it registered must still come Up against edgelb's BfdManager.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { DEFAULT_BFD_PROFILE } from '../../agent/bfd/profile.ts';
import { missing } from '../support/env.ts';
import { type FrrBfd, startFrrBfd } from '../support/frr-bfd.ts';
import { createLan, type Lan, TOPOLOGY } from '../support/netns.ts';
import { type BfdProcess, startBfdMain } from './bfd-main.ts';

const skip = missing({ root: true, tools: ['ip', 'vtysh', '/usr/lib/frr/bfdd', '/usr/lib/frr/bgpd'] });
const R = TOPOLOGY.router;
const W = TOPOLOGY.worker;

describe.skipIf(!!skip)('FRR bgpd-registered BFD session', () => {
  let lan: Lan;
  let frr: FrrBfd;
  let edge: BfdProcess;

  beforeAll(async () => {
    lan = await createLan({ family: 'bfdg', hosts: { router: R, worker: W } });
    frr = await startFrrBfd(lan, 'router', {
      peers: [],
      bgp: {
        asn: 65000,
        routerId: R.v4,
        neighbors: [{ address: W.v4, remoteAs: 65001, ipv6: false }],
        extra: [`neighbor ${W.v4} bfd`],
      },
    });
    edge = startBfdMain(lan, 'worker', { peers: [{ peer: R.v4, profile: { ...DEFAULT_BFD_PROFILE } }] });
  }, 30_000);

  afterAll(async () => {
    await edge?.stop();
    await frr?.stop();
    await lan?.destroy();
  }, 20_000);

  test('the session bgpd registered comes Up with edgelb', async () => {
    const p = await frr.waitPeer(W.v4, (s) => s.status === 'up', 'up (bgpd-registered)', 20_000);
    expect(p['remote-detect-multiplier']).toBe(3);
    await edge.waitPeer(R.v4, (x) => x.state === 'Up', 'Up');
  }, 30_000);
});
