/**
 * The conformance suite every receiving daemon must pass against the real edgelb speaker:
 * sessions Established, IPv4 /32 and IPv6 /128 with the right next hop, AS path, communities,
 * large communities, local-pref on iBGP, and withdraws. FRR, BIRD and ExaBGP each run it with
 * their own adapter (hono's `runTest({newRouter})` shape).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createLan, type Lan, TOPOLOGY } from '../support/netns.ts';
import { waitFor } from '../support/proc.ts';
import { peer, type SpeakerProcess, startSpeaker } from '../support/speaker-main.ts';

/** A route as every adapter reports it. */
export interface SeenRoute {
  /** Address of the neighbour it came from. */
  from: string;
  nextHop: string;
  asPath: string;
  communities: string[];
  largeCommunities: string[];
  localPref: number | undefined;
}

export interface Receiver {
  /** Every path the daemon holds for prefix (from any neighbour). */
  routes(prefix: string): Promise<SeenRoute[]>;
  waitEstablished(neighbor: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface Neighbor {
  address: string;
  asn: number;
}

export interface ConformanceOptions {
  name: string;
  /** A skip reason from missing(); the suite is skipped when set. */
  skip?: string;
  /** LAN family (unique per test file). */
  family: string;
  /** Starts the daemon in the 'router' host (AS 65000, 192.168.2.1) peering with the neighbours. */
  startReceiver(lan: Lan, neighbors: Neighbor[]): Promise<Receiver>;
}

const { router, worker, master } = TOPOLOGY;
export const ROUTER_ASN = 65000;
export const NODE_ASN = 65001;
const V4 = '172.198.1.1/32';
const V6 = '2001:db8:1::1/128';
const V4B = '172.198.1.2/32';

export function runConformance(opts: ConformanceOptions): void {
  describe.skipIf(!!opts.skip)(`conformance: edgelb -> ${opts.name}`, () => {
    let lan: Lan;
    let rx: Receiver;
    let ebgp: SpeakerProcess;
    let ibgp: SpeakerProcess;

    beforeAll(async () => {
      lan = await createLan({ family: opts.family, hosts: { router, worker, master } });
      rx = await opts.startReceiver(lan, [
        { address: worker.v4, asn: NODE_ASN },
        { address: master.v4, asn: ROUTER_ASN },
      ]);
      ebgp = startSpeaker(lan, 'worker', {
        routerId: worker.v4,
        hostname: 'worker',
        nextHopV4: worker.v4,
        nextHopV6: worker.v6,
        peers: [
          peer({
            id: 'router',
            peerAddress: router.v4,
            localAddress: worker.v4,
            localASN: NODE_ASN,
            peerASN: ROUTER_ASN,
            communities: ['65001:100', '65001:200'],
            largeCommunities: ['65001:1:2'],
          }),
        ],
        advertisements: { router: [V4, V6] },
      });
      ibgp = startSpeaker(lan, 'master', {
        routerId: master.v4,
        hostname: 'master',
        nextHopV4: master.v4,
        nextHopV6: master.v6,
        peers: [
          peer({
            id: 'router',
            peerAddress: router.v4,
            localAddress: master.v4,
            localASN: ROUTER_ASN,
            peerASN: ROUTER_ASN,
            localPreference: 250,
            communities: ['65000:7'],
          }),
        ],
        advertisements: { router: [V4B] },
      });
    }, 30_000);

    afterAll(async () => {
      await lan?.destroy();
    }, 20_000);

    test('both sessions reach Established on each side', async () => {
      await ebgp.waitEstablished('router');
      await ibgp.waitEstablished('router');
      await rx.waitEstablished(worker.v4);
      await rx.waitEstablished(master.v4);
    }, 25_000);

    test('eBGP: IPv4 /32 arrives with next hop, AS path, communities and large communities', async () => {
      const [r] = await waitRoutes(rx, V4, 1);
      expect(r).toEqual({
        from: worker.v4,
        nextHop: worker.v4,
        asPath: String(NODE_ASN),
        communities: ['65001:100', '65001:200'],
        largeCommunities: ['65001:1:2'],
        localPref: r?.localPref, // eBGP: the receiver's own default, not ours
      });
    }, 15_000);

    test('eBGP: IPv6 /128 arrives with the 16-byte global next hop', async () => {
      const [r] = await waitRoutes(rx, V6, 1);
      expect(r?.from).toBe(worker.v4);
      expect(r?.nextHop).toBe(worker.v6);
      expect(r?.asPath).toBe(String(NODE_ASN));
      expect(r?.communities).toEqual(['65001:100', '65001:200']);
      expect(r?.largeCommunities).toEqual(['65001:1:2']);
    }, 15_000);

    test('iBGP: LOCAL_PREF and communities arrive, AS path is empty', async () => {
      const [r] = await waitRoutes(rx, V4B, 1);
      expect(r).toMatchObject({ from: master.v4, nextHop: master.v4, asPath: '', localPref: 250 });
      expect(r?.communities).toEqual(['65000:7']);
    }, 15_000);

    test('a withdraw removes the routes, a re-announce brings them back', async () => {
      ebgp.advertise({ router: [] });
      await waitRoutes(rx, V4, 0);
      await waitRoutes(rx, V6, 0);
      expect(await rx.routes(V4B)).toHaveLength(1); // the other session is untouched
      ebgp.advertise({ router: [V4] });
      await waitRoutes(rx, V4, 1);
      expect(await rx.routes(V6)).toHaveLength(0);
    }, 20_000);
  });
}

export function waitRoutes(
  rx: Receiver,
  prefix: string,
  n: number,
  timeoutMs = 10_000,
): Promise<SeenRoute[]> {
  return waitFor(
    `${n} route(s) for ${prefix}`,
    async () => {
      const r = await rx.routes(prefix);
      return r.length === n ? r : undefined;
    },
    { timeoutMs },
  );
}
