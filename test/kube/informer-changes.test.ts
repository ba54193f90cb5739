/**
 * The informer's change feed and projection, against the TLS test API server: takeChanges()
 * names exactly the keys added, changed or deleted (also across a 410 relist, where unchanged
 * objects keep their identity), and the cache holds projected Services, never full objects.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import { Informer } from '../../agent/kube/informer.ts';
import { loadKubeconfig } from '../../agent/kube/kubeconfig.ts';
import { projectService } from '../../agent/kube/projection.ts';
import { ownsService } from '../../agent/kube/service-class.ts';
import { KubeClient } from '../../agent/kube/transport.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';

const CLASS = { loadBalancerClass: 'edgelb.io/bgp', claimServicesWithoutClass: true };

async function until(what: string, cond: () => boolean, ms = 4_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

function svc(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: 'default',
      labels: { app: name },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"json"}' },
    },
    spec: {
      type: 'LoadBalancer',
      selector: { app: name },
      sessionAffinity: 'None',
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }],
      ...extra,
    },
  };
}

type Svc = ServiceObject & { metadata: { resourceVersion?: string } };

describe('informer change feed and projection', () => {
  let server: TestApiServer;
  let inf: Informer<Svc>;
  let changes = 0;
  /** Everything taken since the last call, as a sorted list ('all' stays 'all'). */
  const take = () => {
    const c = inf.takeChanges();
    return c === 'all' ? 'all' : [...c].sort();
  };

  beforeAll(async () => {
    server = await startApiServer({ bookmarkIntervalMs: 200 });
    server.create(svc('a'));
    server.create(svc('b'));
    server.create({ ...svc('plain'), spec: { type: 'ClusterIP', ports: [{ port: 80 }] } });
    const log = memoryLogger('error');
    inf = new Informer<Svc>({
      resource: 'services',
      path: '/api/v1/services',
      filter: (s) => ownsService(s, CLASS),
      project: (s) => projectService(s) as Svc,
      trackChanges: true,
      client: new KubeClient(loadKubeconfig({ path: server.kubeconfigCert }), { log, timeoutMs: 2_000 }),
      clock: systemClock,
      random: Math.random,
      log,
      restarts: new Registry().counter('r', 'r', ['resource']),
      onChange: () => changes++,
      silenceMs: 1_000,
      backoff: { baseMs: 20, capMs: 100 },
      requestTimeoutMs: 1_500,
    });
    inf.start();
    await until('sync', () => inf.synced);
  });

  afterAll(async () => {
    inf?.stop();
    await server?.stop();
  });

  test('the first take is "all", then nothing until something changes', () => {
    expect(take()).toBe('all');
    expect(take()).toEqual([]);
    expect(inf.size).toBe(2);
  });

  test('adds, updates (status too), class changes and deletes are named by key', async () => {
    server.create(svc('c'));
    const a = server.get('v1', 'Service', 'default', 'a');
    server.update({ ...a, status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } } });
    const b = server.get('v1', 'Service', 'default', 'b');
    server.update({ ...b, spec: { ...b.spec, type: 'ClusterIP' } });
    await until(
      'events',
      () => !!inf.get('default/c') && !inf.get('default/b') && !!inf.get('default/a')?.status?.loadBalancer,
    );
    expect(take()).toEqual(['default/a', 'default/b', 'default/c']);
    server.remove('v1', 'Service', 'default', 'c');
    await until('delete', () => !inf.get('default/c'));
    expect(take()).toEqual(['default/c']);
    expect(take()).toEqual([]);
  });

  test('the cache holds projections: read fields and all metadata except managedFields', () => {
    const a = inf.get('default/a')!;
    expect(a.spec).toEqual({
      type: 'LoadBalancer',
      selector: { app: 'a' },
      ipFamilies: a.spec.ipFamilies,
      ipFamilyPolicy: a.spec.ipFamilyPolicy,
      externalTrafficPolicy: a.spec.externalTrafficPolicy,
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    });
    expect(a.spec.ipFamilies).toEqual(['IPv4']);
    expect(a.metadata.labels).toEqual({ app: 'a' });
    // Kept: a status PUT sends metadata back, and the API server would apply a removal.
    expect(a.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toBe(
      '{"big":"json"}',
    );
    expect(a.metadata.uid).toBeString();
    expect(a.metadata.resourceVersion).toBeString();
    expect('managedFields' in a.metadata).toBe(false);
    expect(a.status?.loadBalancer?.ingress?.[0]?.ip).toBe('10.0.0.1');
  });

  test('a 410 relist names only what changed meanwhile; unchanged objects keep their identity', async () => {
    const a = inf.get('default/a');
    server.faults.expireWatches();
    server.create(svc('after-410'));
    await until('relisted', () => !!inf.get('default/after-410'));
    expect(take()).toEqual(['default/after-410']);
    expect(inf.get('default/a')).toBe(a);
  });
});

test('projectService keeps what edgelb reads and what a status write sends back', () => {
  const full = {
    apiVersion: 'v1' as const,
    kind: 'Service' as const,
    metadata: {
      name: 'x',
      namespace: 'ns',
      uid: 'u',
      resourceVersion: '7',
      generation: 2,
      labels: { a: 'b' },
      annotations: { 'edgelb.io/ips': '10.0.0.1' },
      finalizers: ['f'],
      managedFields: [{ manager: 'kubectl' }],
    },
    spec: {
      type: 'LoadBalancer',
      loadBalancerClass: 'edgelb.io/bgp',
      loadBalancerIP: '10.0.0.1',
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      ports: [{ port: 53, protocol: 'UDP' as const, targetPort: 53, nodePort: 31000 }],
      selector: { app: 'dns' },
      externalTrafficPolicy: 'Local' as const,
      healthCheckNodePort: 32000,
      ipFamilies: ['IPv4' as const, 'IPv6' as const],
      ipFamilyPolicy: 'PreferDualStack' as const,
    },
    status: { loadBalancer: { ingress: [{ ip: '10.0.0.1', ipMode: 'VIP' as const }] }, conditions: [] },
  };
  const p = projectService(full as unknown as ServiceObject);
  const { managedFields: _m, ...metadata } = full.metadata;
  expect(p).toEqual({
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      type: 'LoadBalancer',
      loadBalancerClass: 'edgelb.io/bgp',
      loadBalancerIP: '10.0.0.1',
      ports: [{ port: 53, protocol: 'UDP' }],
      selector: { app: 'dns' },
      externalTrafficPolicy: 'Local',
      ipFamilies: ['IPv4', 'IPv6'],
      ipFamilyPolicy: 'PreferDualStack',
    },
    status: full.status,
  });
  expect(full.metadata.managedFields).toHaveLength(1); // the input is not modified
});

test('projectService shares equal parts with the previous version and common lists across Services', () => {
  const make = (name: string, rv: string, extra: Record<string, unknown> = {}) =>
    ({
      metadata: {
        name,
        namespace: 'ns',
        resourceVersion: rv,
        labels: { app: name },
        annotations: { a: 'b' },
      },
      spec: {
        type: 'LoadBalancer',
        selector: { app: name },
        ipFamilies: ['IPv4'],
        ports: [{ name: 'http', port: 80 }],
      },
      ...extra,
    }) as unknown as ServiceObject;
  const v1 = projectService(make('x', '1'));
  const echo = projectService(
    make('x', '2', { status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } } }),
    v1,
  );
  expect(echo.spec).toBe(v1.spec);
  expect(echo.metadata.labels).toBe(v1.metadata.labels);
  expect(echo.metadata.annotations).toBe(v1.metadata.annotations);
  expect(echo.metadata.resourceVersion).toBe('2');
  const relabelled = projectService(
    { ...make('x', '3'), metadata: { ...make('x', '3').metadata, labels: { app: 'y' } } },
    echo,
  );
  expect(relabelled.metadata.labels).toEqual({ app: 'y' });
  expect(relabelled.metadata.annotations).toBe(v1.metadata.annotations);
  const other = projectService(make('z', '4'));
  expect(other.spec.ports).toBe(v1.spec.ports);
  expect(other.spec.ipFamilies).toBe(v1.spec.ipFamilies);
  expect(other.spec.selector).toEqual({ app: 'z' });
});
