/** kube-vip's cloud provider ConfigMap -> pools: a namespace's own range first, the global one for the rest. */
import { expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import type { LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import { validatePool } from '../../agent/api/validate/resources.ts';
import { convertManifests } from '../../agent/convert/convert.ts';
import { Ipam } from '../../agent/ipam/ipam.ts';
import { poolSpecIn, serviceView } from '../../agent/reconcile/plan/to-domain.ts';

// The shape of kube-vip.io "Kubernetes Load-Balancer Service" (kube-vip-cloud-provider).
const configMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'kubevip', namespace: 'kube-system' },
  data: {
    'cidr-global': '192.168.0.224/29',
    'range-development': '192.168.0.210-192.168.0.219',
    'cidr-finance': '192.168.0.200/30,192.168.0.204/30',
    'allow-share-development': 'true',
  },
};

test('one pool per namespace range, the global pool for every other namespace', () => {
  const r = convertManifests([configMap]);
  expect(r.errors).toEqual([]);
  expect(r.warnings.map((w) => `${w.object} ${w.field}`)).toEqual([
    'ConfigMap/kubevip data.allow-share-development',
  ]);
  expect(r.objects.map((o) => [o.metadata.name, JSON.stringify(o.spec)])).toEqual([
    [
      'kubevip-development',
      JSON.stringify({
        blocks: [{ start: '192.168.0.210', stop: '192.168.0.219' }],
        serviceSelector: { matchLabels: { 'io.kubernetes.service.namespace': 'development' } },
      }),
    ],
    [
      'kubevip-finance',
      JSON.stringify({
        blocks: [{ cidr: '192.168.0.200/30' }, { cidr: '192.168.0.204/30' }],
        serviceSelector: { matchLabels: { 'io.kubernetes.service.namespace': 'finance' } },
      }),
    ],
    [
      'kubevip-global',
      JSON.stringify({
        blocks: [{ cidr: '192.168.0.224/29' }],
        serviceSelector: {
          matchExpressions: [
            { key: 'io.kubernetes.service.namespace', operator: 'NotIn', values: ['development', 'finance'] },
          ],
        },
      }),
    ],
  ]);
  for (const o of r.objects) expect(validatePool(o).ok).toBe(true);
  // As kube-vip allocates: development from its range, default from the global one.
  const svc = (namespace: string): ServiceObject => ({
    metadata: { namespace, name: 'web', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
  });
  const pools = r.objects
    .map((o) => validatePool(o))
    .map((v) => (v.ok ? v.value : undefined)!) as LoadBalancerIPPool[];
  const res = new Ipam().restore(
    pools.map((p) => poolSpecIn(p, [])),
    [svc('development'), svc('default')].map(serviceView),
  );
  expect(res.map((x) => [x.key, x.ok && x.pool])).toEqual([
    ['development/web', 'kubevip-development'],
    ['default/web', 'kubevip-global'],
  ]);
});

test('a bad range is an error naming the key; another ConfigMap is skipped', () => {
  const r = convertManifests([
    { ...configMap, data: { 'cidr-global': '192.168.0.300/29' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' }, data: {} },
  ]);
  expect(r.errors.map((e) => `${e.object} ${e.field}`)).toEqual(['ConfigMap/kubevip data.cidr-global[0]']);
  expect(r.warnings.map((w) => w.object)).toEqual(['ConfigMap/other']);
});
