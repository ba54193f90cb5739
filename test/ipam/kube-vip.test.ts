/** kube-vip's kube-vip.io/loadbalancerIPs is a request like edgelb.io/ips (migration without editing Services). */
import { expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import { Ipam } from '../../agent/ipam/ipam.ts';
import { serviceView } from '../../agent/reconcile/plan/to-domain.ts';

const svc = (name: string, annotations: Record<string, string>): ServiceObject => ({
  metadata: { namespace: 'default', name, annotations, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
});
const pool = {
  name: 'p',
  creationOrder: '',
  blocks: [{ cidr: '10.0.0.0/24' }],
  disabled: false,
  allowFirstLastIPs: false,
  autoAssign: true,
};

test('kube-vip.io/loadbalancerIPs requests an IP; a contradicting edgelb.io/ips is named', () => {
  const ipam = new Ipam();
  const r = ipam.restore(
    [pool],
    [
      svc('a', { 'kube-vip.io/loadbalancerIPs': '10.0.0.42' }),
      svc('b', { 'kube-vip.io/loadbalancerIPs': '10.0.0.43', 'edgelb.io/ips': '10.0.0.44' }),
    ].map(serviceView),
  );
  const byKey = Object.fromEntries(r.map((x) => [x.key, x]));
  expect(byKey['default/a']).toMatchObject({ ok: true, ips: ['10.0.0.42'] });
  expect(byKey['default/b']?.ok).toBe(false);
  expect(byKey['default/b']?.ok === false && byKey['default/b'].message).toContain(
    'kube-vip.io/loadbalancerIPs',
  );
});
