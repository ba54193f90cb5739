/**
 * Informers against the TLS test API server, once with a client-certificate kubeconfig and
 * once with a bearer token: they sync, survive 500 bursts, dropped watches, hung
 * connections and forced 410s, and their cache equals the server's state afterwards.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Informer, objectKey } from '../../agent/kube/informer.ts';
import { loadKubeconfig } from '../../agent/kube/kubeconfig.ts';
import { ownsService } from '../../agent/kube/service-class.ts';
import { KubeClient } from '../../agent/kube/transport.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { createLogger, memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';

const CLASS = { loadBalancerClass: 'edgelb.io/bgp', claimServicesWithoutClass: true };

async function until(what: string, cond: () => boolean, ms = 4_000, detail?: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${detail ? `: ${detail()}` : ''}`);
    await Bun.sleep(20);
  }
}

function svc(name: string, type: string, cls?: string, ns = 'default') {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: { type, ...(cls ? { loadBalancerClass: cls } : {}), ports: [{ port: 80, protocol: 'TCP' }] },
  };
}

type Obj = { metadata: { name: string; namespace?: string; resourceVersion?: string } };

function snapshot(objs: Obj[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of [...objs].sort((a, b) => objectKey(a).localeCompare(objectKey(b)))) {
    out[objectKey(o)] = o.metadata.resourceVersion ?? '';
  }
  return out;
}

for (const auth of ['client certificate', 'bearer token'] as const) {
  describe(`informer over TLS with a ${auth}`, () => {
    let server: TestApiServer;
    let services: Informer<Obj & { spec?: { type?: string } }>;
    let nodes: Informer<Obj>;
    const metrics = new Registry();
    const restarts = metrics.counter('edgelb_kube_watch_restarts_total', 'restarts', ['resource']);
    let changes = 0;

    beforeAll(async () => {
      server = await startApiServer({ bookmarkIntervalMs: 200 });
      server.create(svc('lb-ours', 'LoadBalancer', 'edgelb.io/bgp'));
      server.create(svc('lb-noclass', 'LoadBalancer'));
      server.create(svc('lb-other', 'LoadBalancer', 'other.io/lb'));
      server.create(svc('plain', 'ClusterIP'));
      server.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { peering: 'yes' } } });
      const endpoint = loadKubeconfig({
        path: auth === 'client certificate' ? server.kubeconfigCert : server.kubeconfigTokenFile,
      });
      const log = process.env.KUBE_TEST_DEBUG
        ? createLogger({ level: 'debug', format: 'text' })
        : memoryLogger('error');
      const client = new KubeClient(endpoint, { log, timeoutMs: 2_000 });
      const common = {
        client,
        clock: systemClock,
        random: Math.random,
        log,
        restarts,
        onChange: () => changes++,
        silenceMs: 1_000,
        backoff: { baseMs: 50, capMs: 400 },
        requestTimeoutMs: 1_500,
      };
      services = new Informer({
        ...common,
        resource: 'services',
        path: '/api/v1/services',
        filter: (s) => ownsService(s, CLASS),
      });
      nodes = new Informer({ ...common, resource: 'nodes', path: '/api/v1/nodes' });
      services.start();
      nodes.start();
    });

    afterAll(async () => {
      services?.stop();
      nodes?.stop();
      await server?.stop();
    });

    const serverServices = () =>
      server.list('v1', 'Service').filter((s: { spec?: { type?: string } }) => ownsService(s, CLASS));
    const converged = () =>
      JSON.stringify(snapshot(services.list())) === JSON.stringify(snapshot(serverServices())) &&
      JSON.stringify(snapshot(nodes.list())) === JSON.stringify(snapshot(server.list('v1', 'Node')));

    test('syncs and keeps only LoadBalancer Services of its class (or classless)', async () => {
      await until('sync', () => services.synced && nodes.synced);
      expect(
        services
          .list()
          .map((s) => s.metadata.name)
          .sort(),
      ).toEqual(['lb-noclass', 'lb-ours']);
      expect(nodes.get('/n1')?.metadata.name).toBe('n1');
      expect(
        server.requests.some(
          (r) => r.user === (auth === 'client certificate' ? 'edgelb-node' : 'edgelb-token'),
        ),
      ).toBe(true);
    });

    test('follows changes; a Service that changes class leaves the cache', async () => {
      const before = changes;
      server.create(svc('lb-new', 'LoadBalancer', 'edgelb.io/bgp', 'kube-system'));
      const other = server.get('v1', 'Service', 'default', 'lb-noclass');
      server.update({ ...other, spec: { ...other.spec, type: 'ClusterIP' } });
      await until(
        'changes',
        () => services.get('kube-system/lb-new') !== undefined && !services.get('default/lb-noclass'),
      );
      expect(changes).toBeGreaterThan(before);
      await until('converged', converged);
    });

    test('recovers from a burst of 500s and dropped watches', async () => {
      const r0 = restarts.get({ resource: 'services' });
      server.faults.failNext(6, { status: 500, path: '/api/v1/services' });
      server.faults.dropWatches();
      server.create(svc('after-drop', 'LoadBalancer'));
      server.remove('v1', 'Service', 'kube-system', 'lb-new');
      await until(
        'converged after 500s',
        () => converged() && !!services.get('default/after-drop'),
        4_000,
        () =>
          JSON.stringify([
            snapshot(services.list()),
            snapshot(serverServices()),
            snapshot(nodes.list()),
            snapshot(server.list('v1', 'Node')),
          ]),
      );
      expect(restarts.get({ resource: 'services' })).toBeGreaterThan(r0);
    });

    test('forced 410 relists and picks up what changed meanwhile', async () => {
      const r0 = restarts.get({ resource: 'services' });
      server.faults.expireWatches();
      server.create(svc('after-410', 'LoadBalancer', 'edgelb.io/bgp'));
      await until('converged after 410', () => converged() && !!services.get('default/after-410'));
      expect(restarts.get({ resource: 'services' })).toBeGreaterThan(r0);
      expect(
        server.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/services').length,
      ).toBeGreaterThan(1);
    });

    test('a hung connection is detected by silence and recovered after the partition heals', async () => {
      const r0 = restarts.get({ resource: 'nodes' });
      server.faults.hang(true, { path: '/api/v1/nodes' });
      server.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' } });
      await until('silence restart', () => restarts.get({ resource: 'nodes' }) > r0, 5_000);
      expect(nodes.get('/n2')).toBeUndefined();
      server.faults.hang(false);
      server.faults.reset();
      await until('converged after hang', () => converged() && !!nodes.get('/n2'));
    });

    test('the cache equals the server after all faults', async () => {
      server.faults.reset();
      await until('converged', converged);
      expect(snapshot(services.list())).toEqual(snapshot(serverServices()));
    });
  });
}
