/** KubernetesSource: Namespaces (name and labels) for pools' namespaceSelector; a label change is seen. */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { defaultConfig } from '../../agent/config/schema.ts';
import { customResourceDefinitions } from '../../agent/kube/manifests.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { KubernetesSource } from '../../agent/source/kubernetes.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { waitFor } from '../support/proc.ts';

const fast = {
  informer: { silenceMs: 2_000, backoff: { baseMs: 50, capMs: 300 }, requestTimeoutMs: 1_000 },
  leaderElectionMs: { leaseDurationMs: 2_000, renewDeadlineMs: 1_000, retryPeriodMs: 200 },
};

let server: TestApiServer;
beforeAll(async () => {
  server = await startApiServer({ bookmarkIntervalMs: 500 });
  for (const crd of customResourceDefinitions()) server.create(crd);
  server.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker' } });
  server.create({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'infra', labels: { zone: 'internal' } },
  });
});
afterAll(async () => {
  await server?.stop();
});

test('observe() lists the Namespaces with their labels; a relabel arrives', async () => {
  const src = new KubernetesSource({
    config: { ...defaultConfig().kubernetes, kubeconfig: server.kubeconfigCert },
    nodeName: 'worker',
    clock: systemClock,
    random: Math.random,
    log: memoryLogger('error'),
    metrics: new Registry(),
    ...fast,
  });
  await src.start(() => {});
  try {
    const labels = () =>
      src.observe().namespaces?.find((n) => n.metadata.name === 'infra')?.metadata.labels?.zone;
    await waitFor('namespaces', () => labels() === 'internal', { timeoutMs: 5_000, intervalMs: 20 });
    const ns = server.get('v1', 'Namespace', '', 'infra') as { metadata: Record<string, unknown> };
    server.update({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { ...ns.metadata, labels: { zone: 'dmz' } },
    });
    await waitFor('relabel', () => labels() === 'dmz', { timeoutMs: 5_000, intervalMs: 20 });
    expect(labels()).toBe('dmz');
  } finally {
    await src.stop();
  }
});
