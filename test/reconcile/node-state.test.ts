/**
 * Issue 20: the node-level reasons to announce nothing (excluded, cordoned, drained, shutting
 * down), in the plan, in the reconcile loop (BGP: every peer gets no prefix, sessions stay up;
 * L2: the node gives its IPs away) and in /status.
 */
import { describe, expect, test } from 'bun:test';
import type { NodeObject, ServiceObject } from '../../agent/api/core.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { planAnnouncements } from '../../agent/reconcile/plan/announce.ts';
import { planL2 } from '../../agent/reconcile/plan/l2.ts';
import { EXCLUDE_LB_LABEL, NODE_REASONS, nodeWithholds } from '../../agent/reconcile/plan/node-state.ts';
import { type NodeStateFlags, Reconciler } from '../../agent/reconcile/reconciler.ts';
import { maintenanceDoc } from '../../agent/reconcile/status.ts';
import { blogPolicy, blogPool } from '../support/blog-objects.ts';
import { FakeSource, FakeSpeaker } from '../support/fake-source.ts';

const node = (labels: Record<string, string> = {}, unschedulable?: boolean): NodeObject => ({
  metadata: { name: 'worker', labels: { peering: 'yes', ...labels } },
  ...(unschedulable !== undefined ? { spec: { unschedulable } } : {}),
});
const flags = (o: Partial<NodeStateFlags> = {}): NodeStateFlags => ({
  drained: false,
  shuttingDown: false,
  withdrawWhenCordoned: true,
  ...o,
});
const reasons = (n: NodeObject | undefined, f: Partial<NodeStateFlags> = {}) =>
  nodeWithholds({ node: n, ...flags(f) }).map((w) => w.reason);

describe('nodeWithholds: one rule per reason', () => {
  test('a plain node announces', () => {
    expect(reasons(node())).toEqual([]);
    expect(reasons(undefined)).toEqual([]);
  });
  test('the exclusion label, whatever its value (even empty)', () => {
    expect(reasons(node({ [EXCLUDE_LB_LABEL]: '' }))).toEqual(['NodeExcluded']);
    expect(reasons(node({ [EXCLUDE_LB_LABEL]: 'false' }))).toEqual(['NodeExcluded']);
  });
  test('cordoned withdraws unless kubernetes.withdrawWhenCordoned is false', () => {
    expect(reasons(node({}, true))).toEqual(['NodeCordoned']);
    expect(reasons(node({}, true), { withdrawWhenCordoned: false })).toEqual([]);
    expect(reasons(node({}, false))).toEqual([]);
  });
  test('drained and shutting down; every reason listed, the strongest first', () => {
    expect(reasons(node(), { drained: true })).toEqual(['NodeDrained']);
    expect(reasons(node({ [EXCLUDE_LB_LABEL]: '' }, true), { drained: true, shuttingDown: true })).toEqual([
      'NodeShuttingDown',
      'NodeDrained',
      'NodeExcluded',
      'NodeCordoned',
    ]);
  });
  test('the reason codes are the ones explain and /status give', () => {
    expect(Object.values(NODE_REASONS).sort()).toEqual([
      'NodeCordoned',
      'NodeDrained',
      'NodeExcluded',
      'NodeShuttingDown',
    ]);
  });
});

function svc(name: string, ip: string): ServiceObject {
  return {
    metadata: { name, namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
    status: { loadBalancer: { ingress: [{ ip }] } },
  };
}

describe('planAnnouncements with a withheld node', () => {
  const base = {
    nodeName: 'worker',
    nodeLabels: { peering: 'yes' },
    policies: [blogPolicy],
    services: [svc('a', '172.198.1.1')],
    endpointSlices: [],
    secrets: new Map(),
    defaultSecretNamespace: 'kube-system',
  };
  test('the peers stay (sessions up), every peer gets no prefix, the plan says why', () => {
    const open = planAnnouncements(base);
    const withheld = nodeWithholds({ node: node(), ...flags({ drained: true }) });
    const shut = planAnnouncements({ ...base, withheld });
    expect([...open.advertisements.values()]).toEqual([['172.198.1.1/32']]);
    expect(shut.peers).toEqual(open.peers);
    expect([...shut.advertisements.entries()]).toEqual([[open.peers[0]!.id, []]]);
    expect(shut.withheld.map((w) => w.reason)).toEqual(['NodeDrained']);
    expect(open.withheld).toEqual([]);
  });
});

describe('planL2: cordoned nodes', () => {
  const policy = {
    apiVersion: 'edgelb.io/v1alpha1',
    kind: 'L2AnnouncementPolicy',
    metadata: { name: 'lan' },
    spec: {},
  } as never;
  const input = (withdrawWhenCordoned?: boolean) => ({
    nodeName: 'a',
    nodes: [
      { name: 'a', labels: {} },
      { name: 'b', labels: {}, unschedulable: true },
    ],
    policies: [policy],
    pools: [],
    services: [svc('a', '10.0.0.5')],
    endpointSlices: [],
    ...(withdrawWhenCordoned !== undefined ? { withdrawWhenCordoned } : {}),
  });
  test('a cordoned node is not eligible; with the switch off it is', () => {
    expect(planL2(input()).candidates[0]!.eligibleNodes).toEqual(['a']);
    expect(planL2(input(false)).candidates[0]!.eligibleNodes).toEqual(['a', 'b']);
  });
});

describe('the reconcile loop withholds and gives back', () => {
  function setup(nodeState?: () => NodeStateFlags) {
    const source = new FakeSource();
    source.state.pools = [blogPool];
    source.state.policies = [blogPolicy];
    source.state.services = [svc('a', '172.198.1.1')];
    source.state.services[0]!.metadata.annotations = { 'io.cilium/lb-ipam-ips': '172.198.1.1' };
    const speaker = new FakeSpeaker();
    const l2: { policies: number }[] = [];
    const r = new Reconciler({
      source,
      speaker: () => speaker,
      l2: { update: (_o, objects) => l2.push({ policies: objects.l2Policies.length }) },
      nodeName: 'worker',
      defaultSecretNamespace: 'kube-system',
      ...(nodeState ? { nodeState } : {}),
      clock: new FakeClock(),
      log: memoryLogger(),
      metrics: new Registry(),
    });
    return { source, speaker, r, l2 };
  }
  const adverts = (s: FakeSpeaker) => [...s.adverts.values()];

  test('labelling the node excluded withdraws everything, removing the label announces again', async () => {
    const { source, speaker, r } = setup();
    await r.runNow();
    expect(adverts(speaker)).toEqual([['172.198.1.1/32']]);
    source.state = { ...source.state, node: node({ [EXCLUDE_LB_LABEL]: '' }) };
    await r.runNow();
    expect(adverts(speaker)).toEqual([[]]);
    expect(speaker.peers.length).toBe(1);
    expect(maintenanceDoc({ reconciler: r })).toMatchObject({ state: 'excluded', drained: false });
    source.state = { ...source.state, node: node() };
    await r.runNow();
    expect(adverts(speaker)).toEqual([['172.198.1.1/32']]);
    expect(maintenanceDoc({ reconciler: r })).toEqual({ state: 'active', drained: false, reasons: [] });
  });

  test('cordon withdraws; with withdrawWhenCordoned false it does not', async () => {
    let f = flags();
    const { source, speaker, r } = setup(() => f);
    source.state = { ...source.state, node: node({}, true) };
    await r.runNow();
    expect(adverts(speaker)).toEqual([[]]);
    f = flags({ withdrawWhenCordoned: false });
    await r.runNow();
    expect(adverts(speaker)).toEqual([['172.198.1.1/32']]);
  });

  test('drained: nothing announced, and L2 sees no policy (gives its IPs away)', async () => {
    let f = flags();
    const { speaker, r, l2 } = setup(() => f);
    await r.runNow();
    f = flags({ drained: true });
    await r.runNow();
    expect(adverts(speaker)).toEqual([[]]);
    expect(maintenanceDoc({ reconciler: r, drained: () => true })).toMatchObject({
      state: 'drained',
      drained: true,
      reasons: [{ reason: 'NodeDrained' }],
    });
    expect(l2.at(-1)).toEqual({ policies: 0 });
  });
});
