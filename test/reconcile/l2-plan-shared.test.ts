/** planL2 at scale: IPs with the same rule and the same eligible nodes share one copy of each. */
import { describe, expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import type { L2AnnouncementPolicy, LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import { planL2 } from '../../agent/reconcile/plan/l2.ts';

const svc = (name: string, ip: string, labels: Record<string, string> = {}): ServiceObject => ({
  metadata: { name, namespace: 'default', labels },
  spec: { type: 'LoadBalancer' },
  status: { loadBalancer: { ingress: [{ ip, ipMode: 'VIP' as const }] } },
});
const policy = (name: string, spec: L2AnnouncementPolicy['spec']): L2AnnouncementPolicy => ({
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'L2AnnouncementPolicy',
  metadata: { name },
  spec,
});
const POOL: LoadBalancerIPPool = {
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'LoadBalancerIPPool',
  metadata: { name: 'lan' },
  spec: { blocks: [{ cidr: '192.168.2.0/24' }] },
};

describe('planL2 shares rules and node lists', () => {
  test('same rule and nodes: one object; a different rule: its own, with its own content', () => {
    const plan = planL2({
      nodeName: 'a',
      nodes: [
        { name: 'a', labels: {} },
        { name: 'b', labels: {} },
      ],
      policies: [
        policy('eth', { interfaces: ['^eth0$'] }),
        policy('web', { interfaces: ['^br0$'], serviceSelector: { matchLabels: { app: 'web' } } }),
      ],
      pools: [POOL],
      services: [
        svc('s1', '192.168.2.201'),
        svc('s2', '192.168.2.202'),
        svc('w', '192.168.2.203', { app: 'web' }),
      ],
      endpointSlices: [],
    });
    const r1 = plan.interfaces.get('192.168.2.201')!;
    const r2 = plan.interfaces.get('192.168.2.202')!;
    const r3 = plan.interfaces.get('192.168.2.203')!;
    expect(r1).toBe(r2);
    expect(r1).toEqual({ patterns: ['^eth0$'], onLink: false, policies: ['eth'] });
    expect(r3).not.toBe(r1);
    expect(r3).toEqual({ patterns: ['^eth0$', '^br0$'], onLink: false, policies: ['eth', 'web'] });
    const [c1, c2, c3] = plan.candidates;
    expect(c1!.eligibleNodes).toBe(c2!.eligibleNodes);
    expect(c3!.eligibleNodes).toBe(c1!.eligibleNodes);
    expect(c1!.eligibleNodes).toEqual(['a', 'b']);
  });
});
