/** KubernetesSource as a ServiceChangeFeed (the reconcile loop's incremental path), against the TLS test API server. */

import { afterAll, expect, test } from 'bun:test';
import { defaultConfig } from '../../agent/config/schema.ts';
import { loadKubeconfig } from '../../agent/kube/kubeconfig.ts';
import { customResourceDefinitions } from '../../agent/kube/manifests.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { KubernetesSource } from '../../agent/source/kubernetes.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { waitFor } from '../support/proc.ts';

const until = <T>(what: string, f: () => T | undefined | false, ms = 5_000): Promise<T> =>
  waitFor(what, f, { timeoutMs: ms, intervalMs: 10 });

const lb = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default', labels: { app: name } },
  spec: {
    type: 'LoadBalancer',
    selector: { app: name },
    ports: [{ port: 80, protocol: 'TCP', nodePort: 30001 }],
  },
});

let server: TestApiServer | undefined;
let source: KubernetesSource | undefined;
afterAll(async () => {
  await source?.stop();
  await server?.stop();
});

test('names changed Services by key, serves projections, and collects during a burst', async () => {
  server = await startApiServer({ bookmarkIntervalMs: 500 });
  for (const crd of customResourceDefinitions()) server.create(crd);
  server.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker' } });
  server.create(lb('one'));
  let collections = 0;
  source = new KubernetesSource({
    config: defaultConfig().kubernetes,
    nodeName: 'worker',
    clock: systemClock,
    random: Math.random,
    log: memoryLogger('error'),
    metrics: new Registry(),
    endpoint: loadKubeconfig({ path: server.kubeconfigCert }),
    informer: { silenceMs: 2_000, backoff: { baseMs: 50, capMs: 300 }, requestTimeoutMs: 1_000 },
    leaderElectionMs: { leaseDurationMs: 2_000, renewDeadlineMs: 1_000, retryPeriodMs: 200 },
    collect: () => collections++,
    collectEvery: 5,
  });
  await source.start(() => {});
  const s = source;
  await until('synced', () => s.observe().synced);
  expect(s.takeServiceChanges()).toBe('all');
  expect(s.takeServiceChanges()).toEqual(new Set());

  const before = collections;
  for (let i = 0; i < 10; i++) server.create(lb(`burst-${i}`));
  server.remove('v1', 'Service', 'default', 'one');
  await until('events', () => s.observe().services.length === 10);
  const changes = s.takeServiceChanges();
  expect(changes === 'all' ? changes : [...changes].sort()).toEqual(
    ['default/one', ...Array.from({ length: 10 }, (_, i) => `default/burst-${i}`)].sort(),
  );
  // 11 changes (and maybe a leadership change), one collection every 5 counted since the last.
  expect(collections - before).toBeGreaterThanOrEqual(2);
  expect(collections - before).toBeLessThanOrEqual(3);

  const svc = s.service('default/burst-3');
  expect(svc?.spec).toEqual({
    type: 'LoadBalancer',
    selector: { app: 'burst-3' },
    ports: [{ port: 80, protocol: 'TCP' }],
    ...Object.fromEntries(
      (['ipFamilies', 'ipFamilyPolicy', 'externalTrafficPolicy'] as const)
        .filter((f) => svc?.spec[f] !== undefined)
        .map((f) => [f, svc?.spec[f]]),
    ),
  });
  expect(s.observe().services).toContain(svc!);
  expect(s.service('default/one')).toBeUndefined();
});
