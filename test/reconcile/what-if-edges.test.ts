/** Edges of `edgelb plan`'s core (agent/reconcile/plan/what-if.ts): changes sorted, an edit keeps the pool's age. */
import { expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import type { LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import { type WhatIfState, whatIf } from '../../agent/reconcile/plan/what-if.ts';
import { blogPolicy, blogPool, blogService as svc } from '../support/blog-objects.ts';

const pool = (name: string, cidr: string, created?: string): LoadBalancerIPPool => ({
  ...blogPool,
  metadata: { name, ...(created ? { creationTimestamp: created } : {}) },
  spec: { ...blogPool.spec, blocks: [{ cidr }] },
});

const state = (services: ServiceObject[], pools: LoadBalancerIPPool[]): WhatIfState => ({
  now: Date.parse('2026-06-01T00:00:00Z'),
  pools,
  policies: [blogPolicy],
  services,
  endpointSlices: [],
  nodes: [{ metadata: { name: 'worker', labels: { peering: 'yes' } } }],
});

test('the IP changes come sorted by Service, the first Service included', () => {
  const b = svc('b', ['172.198.1.2'], '2026-01-01T00:00:02Z');
  const a = svc('a', ['172.198.1.1'], '2026-01-01T00:00:01Z');
  const p = pool(blogPool.metadata.name, '172.198.1.0/29', '2026-01-01T00:00:00Z');
  const w = whatIf(state([b, a], [p]), {
    pools: [
      {
        ...p,
        metadata: { name: p.metadata.name },
        spec: { ...p.spec, blocks: [{ start: '172.198.1.3', stop: '172.198.1.3' }] },
      },
    ],
    policies: [],
  });
  expect(w.ips.map((x) => [x.service, x.before, x.after, x.kind])).toEqual([
    ['web/a', ['172.198.1.1'], ['172.198.1.3'], 'change'],
    ['web/b', ['172.198.1.2'], [], 'release'],
  ]);
});

test('an edited pool keeps its age: it still wins the overlap with a newer pool', () => {
  const older = pool('a', '172.198.1.0/30', '2026-01-01T00:00:00Z');
  const newer = pool('b', '172.198.1.0/29', '2026-01-02T00:00:00Z');
  const s = svc('s', ['172.198.1.1'], '2026-01-03T00:00:00Z', { 'edgelb.io/pool': 'a' });
  const w = whatIf(state([s], [older, newer]), { pools: [pool('a', '172.198.1.0/30')], policies: [] });
  expect(w).toEqual({ ips: [], announcements: [] });
  // A new pool is the newest: it loses the overlap.
  const added = whatIf(state([s], [older]), { pools: [pool('c', '172.198.1.0/29')], policies: [] });
  expect(added.ips).toEqual([]);
});
