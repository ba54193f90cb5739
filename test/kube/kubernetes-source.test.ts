/** KubernetesSource end to end against the TLS test API server. */

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { SERVICE_CONDITION } from '../../agent/api/v1alpha1.ts';
import { defaultConfig } from '../../agent/config/schema.ts';
import { loadKubeconfig } from '../../agent/kube/kubeconfig.ts';
import { customResourceDefinitions } from '../../agent/kube/manifests.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { KubernetesSource } from '../../agent/source/kubernetes.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { waitFor } from '../support/proc.ts';

const config = defaultConfig().kubernetes;
const fast = {
  informer: { silenceMs: 2_000, backoff: { baseMs: 50, capMs: 300 }, requestTimeoutMs: 1_000 },
  leaderElectionMs: { leaseDurationMs: 2_000, renewDeadlineMs: 1_000, retryPeriodMs: 200 },
};

const until = <T>(what: string, f: () => T | undefined | false, ms = 5_000): Promise<T> =>
  waitFor(what, f, { timeoutMs: ms, intervalMs: 20 });

describe('KubernetesSource', () => {
  let server: TestApiServer;
  beforeAll(async () => {
    server = await startApiServer({ bookmarkIntervalMs: 500 });
    for (const crd of customResourceDefinitions()) server.create(crd);
    server.create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'worker', labels: { peering: 'yes' } },
      status: { addresses: [{ type: 'InternalIP', address: '192.168.2.10' }] },
    });
    server.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'master' } });
    server.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bgp-auth', namespace: 'kube-system' },
      data: { password: Buffer.from('s3cret').toString('base64') },
    });
    server.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'unrelated', namespace: 'kube-system' },
      data: { password: Buffer.from('nope').toString('base64') },
    });
    server.create({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'LoadBalancerIPPool',
      metadata: { name: 'blog-pool' },
      spec: { blocks: [{ cidr: '172.198.1.0/30' }] },
    });
    server.create({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'BGPPeeringPolicy',
      metadata: { name: 'blog' },
      spec: {
        nodeSelector: { matchLabels: { peering: 'yes' } },
        virtualRouters: [
          {
            localASN: 65001,
            neighbors: [
              { peerAddress: '192.168.2.1/32', peerASN: 65000, authSecretRef: { name: 'bgp-auth' } },
            ],
          },
        ],
      },
    });
    for (const [name, cls] of [
      ['ingress-nginx', undefined],
      ['other', 'other.io/lb'],
    ] as const) {
      server.create({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: 'default' },
        spec: {
          type: 'LoadBalancer',
          ...(cls ? { loadBalancerClass: cls } : {}),
          ports: [{ port: 443, protocol: 'TCP' }],
        },
      });
      server.create({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${name}-abc`,
          namespace: 'default',
          labels: { 'kubernetes.io/service-name': name },
        },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.42.0.5'], nodeName: 'worker', conditions: { ready: true } }],
      });
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('observes, elects, writes status, releases the Lease on stop', async () => {
    const metrics = new Registry();
    const src = new KubernetesSource({
      config: { ...config, kubeconfig: server.kubeconfigCert },
      nodeName: 'worker',
      clock: systemClock,
      random: Math.random,
      log: memoryLogger('error'),
      metrics,
      ...fast,
    });
    let changes = 0;
    await src.start(() => changes++);
    const o = await until('synced', () => src.observe().synced && src.observe());
    expect(o.node?.metadata.name).toBe('worker');
    expect(o.services.map((s) => s.metadata.name)).toEqual(['ingress-nginx']);
    expect(o.endpointSlices.map((s) => s.metadata.name)).toEqual(['ingress-nginx-abc']);
    expect(o.pools.map((p) => p.metadata.name)).toEqual(['blog-pool']);
    expect(o.policies.map((p) => p.metadata.name)).toEqual(['blog']);
    expect([...o.secrets.entries()]).toEqual([['kube-system/bgp-auth', { password: 's3cret' }]]);
    expect(
      server.requests.some((r) => r.path.includes('/secrets/unrelated') || r.path.endsWith('/secrets')),
    ).toBe(false);
    expect(changes).toBeGreaterThan(0);
    expect(src.problems()).toEqual([]);
    await until('leader', () => src.leadership.isLeader());
    expect(src.leadership.holder()).toMatch(/^worker_[0-9a-f]{8}$/);
    const svc = o.services[0]!;
    await src.writer.writeServiceStatus(svc, {
      ips: ['172.198.1.1'],
      condition: { type: SERVICE_CONDITION, status: 'True', reason: 'Allocated', message: 'ok' },
    });
    expect(server.get('v1', 'Service', 'default', 'ingress-nginx').status.loadBalancer.ingress).toEqual([
      { ip: '172.198.1.1', ipMode: 'VIP' },
    ]);
    await until(
      'status observed',
      () => src.observe().services[0]?.status?.loadBalancer?.ingress?.length === 1,
    );
    expect(metrics.render()).toContain('# TYPE edgelb_kube_watch_restarts_total counter');
    await src.stop();
    const lease = server.get('coordination.k8s.io/v1', 'Lease', 'kube-system', 'edgelb');
    expect(lease.spec.holderIdentity).toBe('');
    expect(lease.spec.leaseDurationSeconds).toBe(1);
    expect(src.leadership.isLeader()).toBe(false);
  });

  test('an unreachable API at start: no crash, problems() says why, keeps retrying', async () => {
    const endpoint = loadKubeconfig({ path: server.kubeconfigToken });
    const closed = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
    const port = closed.port;
    closed.stop(true);
    const metrics = new Registry();
    const src = new KubernetesSource({
      config,
      nodeName: 'worker',
      clock: systemClock,
      random: Math.random,
      log: memoryLogger('error'),
      metrics,
      endpoint: { ...endpoint, server: `https://127.0.0.1:${port}` },
      ...fast,
    });
    await src.start(() => {});
    await until('problems', () => src.problems().length > 0);
    expect(src.problems()[0]).toStartWith('API unreachable: list ');
    expect(src.observe().synced).toBe(false);
    await Bun.sleep(600);
    const restarts = metrics.render().match(/edgelb_kube_watch_restarts_total\{resource="services"\} (\d+)/);
    expect(Number(restarts?.[1])).toBeGreaterThan(1);
    expect(src.leadership.isLeader()).toBe(false);
    await src.stop();
  });

  test('a node name that matches no Node is reported', async () => {
    const src = new KubernetesSource({
      config: { ...config, kubeconfig: server.kubeconfigToken },
      nodeName: 'typo',
      clock: systemClock,
      random: Math.random,
      log: memoryLogger('error'),
      metrics: new Registry(),
      ...fast,
    });
    await src.start(() => {});
    await until('synced', () => src.observe().synced);
    expect(src.problems()).toEqual(['Node "typo" not found: nodeName must equal the Kubernetes Node name']);
    await src.stop();
  });
});
