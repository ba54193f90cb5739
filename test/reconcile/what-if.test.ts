/**
 * The pure core of `edgelb plan` (issue 21): the agent's allocator restored from the current
 * state, the edit applied as a pool event, and the announcement plans compared per node.
 */
import { describe, expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import type { LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import { type WhatIfState, whatIf } from '../../agent/reconcile/plan/what-if.ts';
import { blogPolicy, blogPool, blogService as svc } from '../support/blog-objects.ts';

const node = (name: string, labels: Record<string, string>) => ({ metadata: { name, labels } });

function state(services: ServiceObject[], pools: LoadBalancerIPPool[] = [blogPool]): WhatIfState {
  return {
    now: Date.parse('2026-06-01T00:00:00Z'),
    pools,
    policies: [blogPolicy],
    services,
    endpointSlices: [],
    nodes: [node('worker', { peering: 'yes' }), node('master', {})],
  };
}

const blocks = (b: LoadBalancerIPPool['spec']['blocks']): LoadBalancerIPPool => ({
  ...blogPool,
  metadata: { name: blogPool.metadata.name },
  spec: { ...blogPool.spec, blocks: b },
});

describe('whatIf', () => {
  const a = svc('a', ['172.198.1.1'], '2026-01-01T00:00:01Z');
  const b = svc('b', ['172.198.1.2'], '2026-01-01T00:00:02Z');
  const c = svc('c', [], '2026-01-01T00:00:03Z');

  test('a shrink releases b and withdraws its route on the peering node only', () => {
    const w = whatIf(state([a, b, c]), {
      pools: [blocks([{ start: '172.198.1.1', stop: '172.198.1.1' }])],
      policies: [],
    });
    expect(w.ips.map((x) => [x.service, x.before, x.after, x.kind])).toEqual([
      ['web/b', ['172.198.1.2'], [], 'release'],
    ]);
    expect(w.announcements).toEqual([
      { node: 'worker', peer: '192.168.2.1', announce: [], withdraw: ['172.198.1.2/32'] },
    ]);
  });

  test('a widening gives the waiting Service an IP (gain) and announces it', () => {
    const w = whatIf(state([a, b, c]), { pools: [blocks([{ cidr: '172.198.1.0/29' }])], policies: [] });
    expect(w.ips.map((x) => [x.service, x.after, x.kind])).toEqual([['web/c', ['172.198.1.3'], 'gain']]);
    expect(w.announcements).toEqual([
      { node: 'worker', peer: '192.168.2.1', announce: ['172.198.1.3/32'], withdraw: [] },
    ]);
  });

  test('the same pool again moves nothing; holds in status are honoured', () => {
    const held: LoadBalancerIPPool = {
      ...blogPool,
      status: {
        held: [{ namespace: 'web', name: 'gone', ip: '172.198.1.2', expires: '2026-06-01T00:05:00Z' }],
      },
    };
    const w = whatIf(state([a, c], [held]), { pools: [blocks([{ cidr: '172.198.1.0/30' }])], policies: [] });
    // The pool's only other address is held; c (waiting, the pool otherwise full) takes it in
    // the restored state already, as the agent would on its own: the edit itself moves nothing.
    expect(w.ips).toEqual([]);
    expect(w.announcements).toEqual([]);
  });
});
