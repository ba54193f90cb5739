/** poolSpec: a LoadBalancerIPPool's defaults as the IPAM sees them (reconcile/plan/to-domain.ts). */
import { expect, test } from 'bun:test';
import type { LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import { poolSpec } from '../../agent/reconcile/plan/to-domain.ts';

const pool = (spec: LoadBalancerIPPool['spec'], creationTimestamp?: string): LoadBalancerIPPool => ({
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'LoadBalancerIPPool',
  metadata: { name: 'p', ...(creationTimestamp ? { creationTimestamp } : {}) },
  spec,
});

test('absent fields take the API defaults: enabled, no first/last IPs, autoAssign', () => {
  expect(
    poolSpec(pool({ blocks: [{ cidr: '10.0.0.0/30' }, { start: '10.0.1.1', stop: '10.0.1.5' }] })),
  ).toEqual({
    name: 'p',
    creationOrder: '',
    blocks: [{ cidr: '10.0.0.0/30' }, { start: '10.0.1.1', stop: '10.0.1.5' }],
    disabled: false,
    allowFirstLastIPs: false,
    autoAssign: true,
  });
});

test('given fields are kept, the selector too', () => {
  const sel = { matchLabels: { t: 'x' } };
  expect(
    poolSpec(
      pool(
        {
          blocks: [{ start: '10.0.1.1' }],
          disabled: true,
          allowFirstLastIPs: true,
          autoAssign: false,
          serviceSelector: sel,
        },
        '2026-01-01T00:00:00Z',
      ),
    ),
  ).toEqual({
    name: 'p',
    creationOrder: '2026-01-01T00:00:00Z',
    blocks: [{ start: '10.0.1.1', stop: '' }],
    disabled: true,
    allowFirstLastIPs: true,
    autoAssign: false,
    serviceSelector: sel,
  });
});
