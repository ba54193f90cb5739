/** A pool's namespaceSelector: Services of namespaces whose labels it matches, and no others. */
import { describe, expect, test } from 'bun:test';
import type { NamespaceObject, ServiceObject } from '../../agent/api/core.ts';
import type { LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import { validateNamespace, validatePool } from '../../agent/api/validate/resources.ts';
import { Ipam } from '../../agent/ipam/ipam.ts';
import { poolSpecIn, serviceView } from '../../agent/reconcile/plan/to-domain.ts';

const ns = (name: string, labels?: Record<string, string>): NamespaceObject => ({
  metadata: { name, ...(labels ? { labels } : {}) },
});
const svc = (namespace: string, name: string): ServiceObject => ({
  metadata: { namespace, name, creationTimestamp: `2026-01-01T00:00:0${name.length}Z` },
  spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
});

function pool(spec: Record<string, unknown>): LoadBalancerIPPool {
  const v = validatePool({
    apiVersion: 'edgelb.io/v1alpha1',
    kind: 'LoadBalancerIPPool',
    metadata: { name: 'team' },
    spec: { blocks: [{ cidr: '10.9.0.0/29' }], ...spec },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return v.value;
}

function ips(p: LoadBalancerIPPool, namespaces: NamespaceObject[] | undefined, services: ServiceObject[]) {
  const ipam = new Ipam();
  const out = ipam.restore([poolSpecIn(p, namespaces)], services.map(serviceView));
  return Object.fromEntries(out.map((r) => [r.key, r.ok ? r.ips : r.reason]));
}

describe('pool spec.namespaceSelector (story)', () => {
  const namespaces = [ns('shop', { team: 'a' }), ns('blog', { team: 'b' }), ns('bare')];
  const services = [svc('shop', 'web'), svc('blog', 'www'), svc('bare', 'x')];

  test('only the Services of matching namespaces get IPs', () => {
    expect(ips(pool({ namespaceSelector: { matchLabels: { team: 'a' } } }), namespaces, services)).toEqual({
      'shop/web': ['10.9.0.1'],
      'blog/www': 'no-matching-pool',
      'bare/x': 'no-matching-pool',
    });
  });

  test('ANDed with serviceSelector', () => {
    const p = pool({
      namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] },
      serviceSelector: { matchLabels: { 'io.kubernetes.service.name': 'www' } },
    });
    expect(ips(p, namespaces, services)).toEqual({
      'shop/web': 'no-matching-pool',
      'blog/www': ['10.9.0.1'],
      'bare/x': 'no-matching-pool',
    });
  });

  test('no namespace matches, or the namespaces are not known: the pool serves nobody (never widened)', () => {
    const p = pool({ namespaceSelector: { matchLabels: { team: 'z' } } });
    expect(Object.values(ips(p, namespaces, services))).toEqual(Array(3).fill('no-matching-pool'));
    const q = pool({ namespaceSelector: { matchLabels: { team: 'a' } } });
    expect(Object.values(ips(q, undefined, services))).toEqual(Array(3).fill('no-matching-pool'));
  });

  test('absent: every namespace, as before', () => {
    expect(Object.values(ips(pool({}), undefined, services)).every((v) => Array.isArray(v))).toBe(true);
  });

  test('files mode validates Namespace objects', () => {
    expect(
      validateNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', labels: { t: '1' } } }),
    ).toEqual({
      ok: true,
      value: { metadata: { name: 'a', labels: { t: '1' } } },
    });
    expect(validateNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: {} }).ok).toBe(false);
  });
});
