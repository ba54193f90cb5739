/** Small edges of the plan's status builders: node status, route attributes, reason names. */
import { expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import {
  NODE_LIST_CAP,
  type NodeStatusInput,
  nodeStatus,
  type SinceMemory,
} from '../../agent/reconcile/plan/node-status.ts';
import { serviceAttributes } from '../../agent/reconcile/plan/route-attributes.ts';
import { reasonName } from '../../agent/reconcile/plan/service-status.ts';

const T = Date.UTC(2026, 0, 1, 0, 0, 10);
const input = (o: Partial<NodeStatusInput>): NodeStatusInput => ({
  peers: [],
  advertised: [],
  l2Owned: [],
  blocked: [],
  now: T,
  ...o,
});
const peer = (id: string, state: string, uptimeSeconds = 0) => ({
  id,
  peerASN: 65000,
  localASN: 65001,
  state,
  uptimeSeconds,
  advertised: 0,
});

test('an Established peer is up since now minus its uptime, in whole seconds', () => {
  const s = nodeStatus(input({ peers: [peer('r1', 'Established', 5)] }), new Map());
  expect(s.peers.map((p) => p.since)).toEqual(['2026-01-01T00:00:05.000Z']);
  const hour = nodeStatus(
    input({ peers: [peer('r1', 'Established', 3000)], now: Date.UTC(2026, 0, 1, 1) }),
    new Map(),
  );
  expect(hour.peers.map((p) => p.since)).toEqual(['2026-01-01T00:10:00.000Z']);
});

test('a peer in the same state keeps its since across calls; a peer gone is forgotten', () => {
  const memory: SinceMemory = new Map();
  nodeStatus(input({ peers: [peer('r1', 'Active'), peer('r2', 'Active')] }), memory);
  const later = nodeStatus(input({ peers: [peer('r1', 'Active')], now: T + 60_000 }), memory);
  expect(later.peers.map((p) => [p.peer, p.since])).toEqual([['r1', '2026-01-01T00:00:10.000Z']]);
  expect([...memory.keys()]).toEqual(['r1']);
});

test('lists are capped at NODE_LIST_CAP, totals count them all', () => {
  expect(NODE_LIST_CAP).toBe(100);
  const owned = Array.from({ length: 101 }, (_, i) => `10.0.${Math.floor(i / 100)}.${i % 100}`);
  const s = nodeStatus(input({ l2Owned: owned }), new Map());
  expect([s.l2Owned.length, s.l2OwnedTotal, s.l2Owned[99], s.l2Owned.includes('10.0.1.0')]).toEqual([
    100,
    101,
    '10.0.0.99',
    false,
  ]);
});

test('route attributes: each annotation alone counts; LOCAL_PREF takes the whole 32-bit range', () => {
  const svc = (annotations: Record<string, string>): ServiceObject => ({
    metadata: { name: 's', namespace: 'd', annotations },
    spec: { type: 'LoadBalancer' },
  });
  expect(serviceAttributes(svc({ 'edgelb.io/bgp-large-communities': '65000:1:2' }))).toEqual({
    attributes: { largeCommunities: ['65000:1:2'] },
    problems: [],
  });
  expect(serviceAttributes(svc({ 'edgelb.io/bgp-as-path-prepend': '2' })).attributes).toEqual({
    asPathPrepend: 2,
  });
  expect(serviceAttributes(svc({ 'edgelb.io/bgp-local-pref': '4294967295' })).attributes).toEqual({
    localPreference: 4294967295,
  });
  expect(serviceAttributes(svc({ 'edgelb.io/bgp-local-pref': '4294967296' }))).toEqual({
    attributes: {},
    problems: ['annotation edgelb.io/bgp-local-pref: must be an integer 0..4294967295, got "4294967296"'],
  });
});

test('reasonName: the table for known reasons, CamelCase for any other', () => {
  expect(['pool-exhausted', 'ip-held', 'some-new-thing', 'x'].map(reasonName)).toEqual([
    'PoolExhausted',
    'IpHeld',
    'SomeNewThing',
    'X',
  ]);
});
