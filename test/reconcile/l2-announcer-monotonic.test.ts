/**
 * L2Announcer's interface cache on monotonic time: a step of the wall clock neither makes a pass
 * read sysfs early (+1 h) nor keeps a stale interface list past the rescan period (-1 h), and
 * the "since" shown in /status stays wall clock.
 */
import { describe, expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import type { L2AnnouncementPolicy, LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import type { LinkFacts } from '../../agent/l2/interface-choice.ts';
import { type LinkPort, Responder } from '../../agent/l2/responder.ts';
import { parseMac } from '../../agent/l2/wire/index.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { L2Announcer, LINK_RESCAN_MS, StaticOwnership } from '../../agent/reconcile/l2-announcer.ts';
import { validObjects } from '../../agent/reconcile/plan/valid-objects.ts';
import type { ObservedState, StatusWriter } from '../../agent/source/types.ts';

const HOUR = 3_600_000;

const port = (): LinkPort => ({
  name: 'eth0',
  mac: parseMac('02:00:00:00:00:01')!,
  drain: () => [],
  send: () => true,
  join() {},
  leave() {},
  close() {},
});

const link = (cidrs: string[]): LinkFacts => ({
  name: 'eth0',
  ifindex: 2,
  mac: '02:00:00:00:00:01',
  up: true,
  loopback: false,
  noarp: false,
  addresses: cidrs.map((cidr) => ({ cidr })),
});

const svc = (ip: string): ServiceObject => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: { type: 'LoadBalancer' },
  status: { loadBalancer: { ingress: [{ ip, ipMode: 'VIP' as const }] } },
});
const POLICY: L2AnnouncementPolicy = {
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'L2AnnouncementPolicy',
  metadata: { name: 'lan' },
  spec: {},
};
const POOL: LoadBalancerIPPool = {
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'LoadBalancerIPPool',
  metadata: { name: 'lan' },
  spec: { blocks: [{ cidr: '192.168.2.200/29' }] },
};

function setup() {
  const clock = new FakeClock(Date.UTC(2026, 11, 6, 12, 0, 0));
  let links = [link(['192.168.2.10/24'])];
  let reads = 0;
  const l2 = new L2Announcer({
    nodeName: 'pi4',
    clock,
    log: memoryLogger('error'),
    metrics: new Registry(),
    ownership: (hooks) => new StaticOwnership({ nodeName: 'pi4', ...hooks }),
    responder: (mayAnswer) =>
      new Responder({ clock, mayAnswer, openLink: () => ({ ok: true, port: port() }) }),
    links: () => {
      reads++;
      return links;
    },
    writer: () => ({ nodeEvent: () => {} }) as unknown as StatusWriter,
  });
  const pass = (services: ServiceObject[]) => {
    const obs: ObservedState = {
      synced: true,
      node: { metadata: { name: 'pi4' } },
      nodes: [{ metadata: { name: 'pi4' } }],
      pools: [POOL],
      policies: [],
      l2Policies: [POLICY],
      services,
      endpointSlices: [],
      secrets: new Map(),
    };
    l2.update(obs, validObjects(obs));
  };
  return {
    clock,
    l2,
    pass,
    reads: () => reads,
    setLinks: (l: LinkFacts[]) => {
      links = l;
    },
  };
}

describe('L2Announcer interface cache across wall-clock steps', () => {
  test('a step forward does not make the next pass read the interfaces again', () => {
    const t = setup();
    t.pass([svc('192.168.2.201')]);
    expect(t.reads()).toBe(1);
    t.clock.advance(1_000);
    t.clock.jump(HOUR);
    t.pass([svc('192.168.2.201')]);
    t.clock.advance(1_000);
    t.pass([svc('192.168.2.201')]);
    expect(t.reads()).toBe(1);
    // the period still runs on time: one read per rescan period
    t.clock.advance(LINK_RESCAN_MS - 2_000);
    expect(t.reads()).toBe(2);
  });

  test('a step back does not keep a list older than the rescan period', () => {
    const t = setup();
    // read while eth0 has no address in the pool's subnet: a problem, nothing answered
    t.setLinks([link(['10.1.0.10/24'])]);
    t.pass([svc('192.168.2.201')]);
    expect(t.l2.status().problems).toHaveLength(1);
    // the Service goes away (nothing owned, nothing read); the address arrives meanwhile
    t.pass([]);
    t.setLinks([link(['192.168.2.10/24'])]);
    t.clock.advance(LINK_RESCAN_MS + 1_000);
    t.clock.jump(-HOUR);
    // the Service is back: a list read 11 s ago is read again, and the IP is answered at once
    t.pass([svc('192.168.2.201')]);
    const s = t.l2.status();
    expect(s.problems).toEqual([]);
    expect(s.owned).toEqual([{ ip: '192.168.2.201', interface: 'eth0', since: '2026-12-06T11:00:11.000Z' }]);
  });
});
