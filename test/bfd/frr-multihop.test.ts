/**
 * RFC 5883 multihop BFD (UDP 4784) with FRR 8.4 bfdd: `peer ... multihop local-address ...`
 * against an edgelb multihop session, over the LAN (one hop is a valid multihop path). The
 * TTL rule is the profile's minimum (254 by default), not 255: a packet with TTL 253 is
 * dropped and counted while the session stays Up. IPv4 and IPv6.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { DEFAULT_BFD_PROFILE } from '../../agent/bfd/profile.ts';
import { MULTIHOP_PORT } from '../../agent/bfd/transport.ts';
import { missing } from '../support/env.ts';
import { type FrrBfd, startFrrBfd } from '../support/frr-bfd.ts';
import { createLan, type Lan, TOPOLOGY } from '../support/netns.ts';
import { type BfdProcess, startBfdMain } from './bfd-main.ts';

const skip = missing({ root: true, tools: ['ip', 'vtysh', '/usr/lib/frr/bfdd'] });
const R = TOPOLOGY.router;
const W = TOPOLOGY.worker;

describe.skipIf(!!skip)('multihop BFD interop with FRR bfdd', () => {
  let lan: Lan;
  let frr: FrrBfd;
  let edge: BfdProcess;

  beforeAll(async () => {
    lan = await createLan({ family: 'bfdm', hosts: { router: R, worker: W } });
    frr = await startFrrBfd(lan, 'router', {
      peers: [
        { address: W.v4, local: R.v4, multihop: true },
        { address: W.v6, local: R.v6, multihop: true },
      ],
    });
    edge = startBfdMain(lan, 'worker', {
      peers: [
        { peer: R.v4, local: W.v4, multihop: true, profile: { ...DEFAULT_BFD_PROFILE } },
        { peer: R.v6, local: W.v6, multihop: true, profile: { ...DEFAULT_BFD_PROFILE } },
      ],
    });
  }, 30_000);

  afterAll(async () => {
    await edge?.stop();
    await frr?.stop();
    await lan?.destroy();
  }, 20_000);

  test('both multihop sessions come Up at 300/300/3', async () => {
    for (const [peer, mine] of [
      [W.v4, R.v4],
      [W.v6, R.v6],
    ] as const) {
      const p = await frr.waitPeer(
        peer,
        (s) => s.status === 'up' && s['remote-transmit-interval'] === 300,
        'up',
      );
      expect(p.multihop).toBe(true);
      await edge.waitPeer(mine, (x) => x.state === 'Up' && x.txIntervalMs === 300, 'Up at 300 ms');
    }
  }, 30_000);

  test('a packet below the minimum TTL is dropped and counted; the session stays Up', async () => {
    const s = edge.last()!.peers[R.v4]!;
    const before = edge.last()!.counters.discards['bad-ttl'];
    const b = Buffer.alloc(24);
    b[0] = 1 << 5;
    b[1] = 3 << 6;
    b[2] = 3;
    b[3] = 24;
    b.writeUInt32BE(s.remoteDiscriminator, 4);
    b.writeUInt32BE(s.localDiscriminator, 8);
    b.writeUInt32BE(300_000, 12);
    b.writeUInt32BE(300_000, 16);
    await lan.exec('router', [
      process.execPath,
      `${import.meta.dir}/send-main.ts`,
      JSON.stringify({ family: 4, to: W.v4, port: MULTIHOP_PORT, ttl: 253, hex: [b.toString('hex')] }),
    ]);
    await edge.waitPeer(
      R.v4,
      () => edge.last()!.counters.discards['bad-ttl'] === before + 1,
      'bad-ttl counted',
      5000,
    );
    expect(edge.last()!.peers[R.v4]).toMatchObject({ state: 'Up', flaps: 0 });
    expect((await frr.peer(W.v4))?.status).toBe('up');
  }, 20_000);
});
