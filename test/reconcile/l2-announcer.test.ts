/**
 * L2Announcer: the loop's L2 step over a real Responder with fake link ports, a fake clock and
 * fake interfaces. Ownership starts with the first policy and stops with the last; owned IPs go
 * to the interface the policy or the on-link subnet picks; an IP on no local subnet is a named
 * problem; Events on the Service; stop() silences the Responder before releasing the ownership.
 */
import { describe, expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import type { L2AnnouncementPolicy, LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import type { LinkFacts } from '../../agent/l2/interface-choice.ts';
import type { OwnershipCandidate } from '../../agent/l2/ownership.ts';
import { type LinkPort, Responder } from '../../agent/l2/responder.ts';
import {
  ArpOperation,
  BROADCAST_MAC,
  encodeArpFrame,
  parseMac,
  ZERO_MAC,
} from '../../agent/l2/wire/index.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { parseIP } from '../../agent/net/ip.ts';
import {
  L2Announcer,
  LINK_RESCAN_MS,
  type OwnershipPort,
  StaticOwnership,
} from '../../agent/reconcile/l2-announcer.ts';
import { validObjects } from '../../agent/reconcile/plan/valid-objects.ts';
import type { ObservedState, StatusWriter } from '../../agent/source/types.ts';

const MAC = parseMac('02:00:00:00:00:01')!;
const CLIENT = parseMac('02:00:00:00:00:20')!;

class FakePort implements LinkPort {
  inbox: Uint8Array[] = [];
  sent: Uint8Array[] = [];
  closed = false;
  constructor(
    readonly name: string,
    readonly mac: Uint8Array,
  ) {}
  drain(max: number) {
    return this.inbox.splice(0, max);
  }
  send(f: Uint8Array) {
    this.sent.push(f);
    return true;
  }
  join() {}
  leave() {}
  close() {
    this.closed = true;
  }
}

const link = (name: string, cidrs: string[], up = true): LinkFacts => ({
  name,
  ifindex: name.length,
  mac: '02:00:00:00:00:01',
  up,
  loopback: false,
  noarp: false,
  addresses: cidrs.map((cidr) => ({ cidr })),
});

function svc(name: string, ips: string[]): ServiceObject {
  return {
    metadata: { name, namespace: 'default' },
    spec: { type: 'LoadBalancer' },
    status: { loadBalancer: { ingress: ips.map((ip) => ({ ip, ipMode: 'VIP' as const })) } },
  };
}
const policy = (name: string, spec: L2AnnouncementPolicy['spec'] = {}): L2AnnouncementPolicy => ({
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'L2AnnouncementPolicy',
  metadata: { name },
  spec,
});
const POOL: LoadBalancerIPPool = {
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'LoadBalancerIPPool',
  metadata: { name: 'lan' },
  spec: { blocks: [{ cidr: '192.168.2.200/29' }] },
};

function arpRequest(target: string): Uint8Array {
  const t = parseIP(target);
  const s = parseIP('192.168.2.20');
  if (!t.ok || !s.ok) throw new Error('bad ip');
  return encodeArpFrame({
    destination: BROADCAST_MAC,
    source: CLIENT,
    arp: {
      operation: ArpOperation.Request,
      senderMac: CLIENT,
      senderIP: s.value,
      targetMac: ZERO_MAC,
      targetIP: t.value,
    },
  });
}

/** An ownership the test drives: it owns what the test says, and records the calls in order. */
class ScriptedOwnership implements OwnershipPort {
  candidates: OwnershipCandidate[] = [];
  owned = new Set<string>();
  constructor(
    private readonly hooks: { onOwnedChange: (o: ReadonlySet<string>) => void },
    private readonly calls: string[],
  ) {}
  start() {
    this.calls.push('ownership.start');
  }
  async stop() {
    this.calls.push('ownership.stop');
    this.give([]);
  }
  setCandidates(c: readonly OwnershipCandidate[]) {
    this.candidates = [...c];
  }
  mayAnswer(ip: string) {
    return this.owned.has(ip);
  }
  give(ips: string[]) {
    this.owned = new Set(ips);
    this.hooks.onOwnedChange(this.owned);
  }
}

function setup(o: { links?: LinkFacts[]; ownership?: 'static' | 'scripted' } = {}) {
  const clock = new FakeClock(Date.UTC(2026, 11, 6, 12, 0, 0));
  const ports = new Map<string, FakePort>();
  const calls: string[] = [];
  const events: string[] = [];
  let links = o.links ?? [link('eth0', ['192.168.2.10/24']), link('eth1', ['10.1.0.10/24'])];
  let linkReads = 0;
  let scripted: ScriptedOwnership | undefined;
  let responder: Responder | undefined;
  const writer = {
    nodeEvent: (s: ServiceObject, kind: string, type: string, message: string) =>
      events.push(`${s.metadata.namespace}/${s.metadata.name} ${kind} ${type}: ${message}`),
  } as unknown as StatusWriter;
  const metrics = new Registry();
  const l2 = new L2Announcer({
    nodeName: 'pi4',
    clock,
    log: memoryLogger('error'),
    metrics,
    ownership: (hooks) => {
      if (o.ownership === 'scripted') {
        scripted = new ScriptedOwnership(hooks, calls);
        return scripted;
      }
      return new StaticOwnership({ nodeName: 'pi4', ...hooks });
    },
    responder: (mayAnswer) => {
      responder = new Responder({
        clock,
        mayAnswer,
        openLink: (name) => {
          const p = new FakePort(name, MAC);
          ports.set(name, p);
          return { ok: true, port: p };
        },
      });
      const stop = responder.stop.bind(responder);
      responder.stop = () => {
        calls.push('responder.stop');
        stop();
      };
      return responder;
    },
    links: () => {
      linkReads++;
      return links;
    },
    writer: () => writer,
  });
  const observed = (over: Partial<ObservedState>): ObservedState => ({
    synced: true,
    node: { metadata: { name: 'pi4', labels: { zone: 'lan' } } },
    nodes: [
      { metadata: { name: 'pi4', labels: { zone: 'lan' } } },
      { metadata: { name: 'worker', labels: { zone: 'lan' } } },
    ],
    pools: [POOL],
    policies: [],
    l2Policies: [],
    services: [],
    endpointSlices: [],
    secrets: new Map(),
    ...over,
  });
  const pass = (over: Partial<ObservedState>) => {
    const obs = observed(over);
    l2.update(obs, validObjects(obs));
  };
  return {
    clock,
    ports,
    calls,
    events,
    l2,
    metrics,
    pass,
    scripted: () => scripted!,
    responder: () => responder!,
    setLinks: (l: LinkFacts[]) => {
      links = l;
    },
    linkReads: () => linkReads,
  };
}

describe('L2Announcer (files mode: static ownership)', () => {
  test('no policy: nothing owned, L2 inactive', () => {
    const t = setup();
    t.pass({ services: [svc('web', ['192.168.2.201'])] });
    expect(t.l2.status()).toEqual({ active: false, owned: [], problems: [] });
    expect(t.ports.size).toBe(0);
  });

  test('a policy: this node answers the IP on the on-link interface, with an Event', () => {
    const t = setup();
    t.pass({ services: [svc('web', ['192.168.2.201'])], l2Policies: [policy('lan')] });
    expect(t.l2.status()).toEqual({
      active: true,
      owned: [{ ip: '192.168.2.201', interface: 'eth0', since: '2026-12-06T12:00:00.000Z' }],
      problems: [],
    });
    expect(t.events).toEqual([
      'default/web L2Announcing Normal: announcing 192.168.2.201 from node pi4 on eth0',
    ]);
    // the ARP request is answered through the ownership's gate
    t.ports.get('eth0')!.inbox.push(arpRequest('192.168.2.201'));
    t.responder().drain();
    expect(t.responder().counters().requestsAnswered[4]).toBe(1);
    // a second pass changes nothing and records no second Event
    t.pass({ services: [svc('web', ['192.168.2.201'])], l2Policies: [policy('lan')] });
    expect(t.events.length).toBe(1);
    const text = t.metrics.render();
    expect(text).toContain('edgelb_l2_owned_ips 1');
    expect(text).toContain('edgelb_l2_requests_answered_total{family="4"} 1');
    expect(text).toContain('edgelb_l2_ownership_changes_total 1');
  });

  test('interface patterns pick the interface whatever the subnet', () => {
    const t = setup();
    t.pass({
      services: [svc('web', ['192.168.2.201'])],
      l2Policies: [policy('lan', { interfaces: ['^eth1$'] })],
    });
    expect(t.l2.status().owned.map((e) => e.interface)).toEqual(['eth1']);
  });

  test('an IP on no local subnet is a problem that names it; nothing answered for it', () => {
    const t = setup({ links: [link('eth1', ['10.1.0.10/24'])] });
    t.pass({ services: [svc('web', ['192.168.2.201'])], l2Policies: [policy('lan')] });
    const s = t.l2.status();
    expect(s.owned).toEqual([]);
    expect(s.problems).toHaveLength(1);
    expect(s.problems[0]).toContain('192.168.2.201');
    expect(s.problems[0]).toContain('no local subnet');
  });

  test('the interface appears later: the rescan answers without a Kubernetes event', () => {
    const t = setup({ links: [link('eth0', ['192.168.2.10/24'], false)] });
    t.pass({ services: [svc('web', ['192.168.2.201'])], l2Policies: [policy('lan')] });
    expect(t.l2.status().problems).toHaveLength(1);
    t.setLinks([link('eth0', ['192.168.2.10/24'])]);
    t.clock.advance(LINK_RESCAN_MS);
    expect(t.l2.status().problems).toEqual([]);
    expect(t.l2.status().owned.map((e) => e.ip)).toEqual(['192.168.2.201']);
  });

  test('interfaces are read at most once per rescan period, however many passes', () => {
    const t = setup();
    for (let i = 0; i < 20; i++) {
      t.pass({ services: [svc('web', ['192.168.2.201'])], l2Policies: [policy('lan')] });
      t.clock.advance(100);
    }
    expect(t.linkReads()).toBe(1);
    t.clock.advance(LINK_RESCAN_MS);
    expect(t.linkReads()).toBe(2);
  });

  test('the last policy deleted: answers stop and L2 goes inactive', () => {
    const t = setup();
    t.pass({ services: [svc('web', ['192.168.2.201'])], l2Policies: [policy('lan')] });
    t.pass({ services: [svc('web', ['192.168.2.201'])], l2Policies: [] });
    expect(t.l2.status()).toEqual({ active: false, owned: [], problems: [] });
    expect(t.ports.get('eth0')!.closed).toBe(true);
  });

  test('an invalid policy is not used', () => {
    const t = setup();
    t.pass({
      services: [svc('web', ['192.168.2.201'])],
      l2Policies: [policy('bad', { interfaces: ['(['] })],
    });
    expect(t.l2.status().active).toBe(false);
  });
});

describe('L2Announcer (kubernetes mode: the ownership decides)', () => {
  test('candidates carry every eligible node; only what the ownership gives is answered', () => {
    const t = setup({ ownership: 'scripted' });
    t.pass({
      services: [svc('web', ['192.168.2.201']), svc('api', ['192.168.2.202'])],
      l2Policies: [policy('lan')],
    });
    expect(t.calls).toEqual(['ownership.start']);
    expect(t.scripted().candidates).toEqual([
      { ip: '192.168.2.201', eligibleNodes: ['pi4', 'worker'], group: 'default/web' },
      { ip: '192.168.2.202', eligibleNodes: ['pi4', 'worker'], group: 'default/api' },
    ]);
    expect(t.l2.status().owned).toEqual([]);
    t.scripted().give(['192.168.2.202']);
    expect(t.l2.status().owned.map((e) => e.ip)).toEqual(['192.168.2.202']);
    expect(t.events).toEqual([
      'default/api L2Announcing Normal: announcing 192.168.2.202 from node pi4 on eth0',
    ]);
    // fenced: mayAnswer false, so a request read late is not answered even though still in the set
    t.scripted().owned = new Set();
    t.ports.get('eth0')!.inbox.push(arpRequest('192.168.2.202'));
    t.responder().drain();
    expect(t.responder().counters().requestsAnswered[4]).toBe(0);
  });

  test('fenced (mayAnswer false): the takeover burst is not sent either', () => {
    const t = setup({ ownership: 'scripted' });
    t.pass({ services: [svc('web', ['192.168.2.201'])], l2Policies: [policy('lan')] });
    t.scripted().give(['192.168.2.201']);
    const port = t.ports.get('eth0')!;
    const sent = port.sent.length;
    expect(sent).toBeGreaterThan(0); // the first announcement went out at once
    t.scripted().owned = new Set();
    t.clock.advance(1_000);
    expect(port.sent.length).toBe(sent);
  });

  test('stop(): the Responder stops answering before the ownership releases', async () => {
    const t = setup({ ownership: 'scripted' });
    t.pass({ services: [svc('web', ['192.168.2.201'])], l2Policies: [policy('lan')] });
    t.scripted().give(['192.168.2.201']);
    await t.l2.stop();
    expect(t.calls).toEqual(['ownership.start', 'responder.stop', 'ownership.stop']);
    expect(t.ports.get('eth0')!.closed).toBe(true);
  });

  test('the last policy deleted: ownership stopped (its Lease released)', async () => {
    const t = setup({ ownership: 'scripted' });
    t.pass({ services: [svc('web', ['192.168.2.201'])], l2Policies: [policy('lan')] });
    t.scripted().give(['192.168.2.201']);
    t.pass({ services: [svc('web', ['192.168.2.201'])] });
    await Promise.resolve();
    expect(t.calls).toEqual(['ownership.start', 'ownership.stop']);
    expect(t.l2.status().owned).toEqual([]);
  });
});
