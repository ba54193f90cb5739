/**
 * KubernetesSource, L2 parts, against the TLS test API server: L2AnnouncementPolicies and every
 * Node's labels are observed (Nodes reduced to name and labels), a label change on another node
 * is seen, the policy's Valid condition is written, and a follower may record an L2 Event.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { defaultConfig } from '../../agent/config/schema.ts';
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

describe('KubernetesSource: L2 mode inputs', () => {
  let server: TestApiServer;
  beforeAll(async () => {
    server = await startApiServer({ bookmarkIntervalMs: 500 });
    for (const crd of customResourceDefinitions()) server.create(crd);
    for (const [name, zone] of [
      ['pi4', 'lan'],
      ['worker', 'lan'],
      ['master', 'dmz'],
    ])
      server.create({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: { zone } },
        status: {
          addresses: [{ type: 'InternalIP', address: '192.168.2.10' }],
          images: [{ names: ['registry.example/big-image:1'], sizeBytes: 123456789 }],
        },
      });
    server.create({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'L2AnnouncementPolicy',
      metadata: { name: 'lan' },
      spec: { nodeSelector: { matchLabels: { zone: 'lan' } }, interfaces: ['^eth[0-9]+$'] },
    });
    server.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('observes the policies and every node\u2019s labels; writes Valid; Events from a follower', async () => {
    const src = new KubernetesSource({
      config: { ...config, kubeconfig: server.kubeconfigCert },
      nodeName: 'pi4',
      clock: systemClock,
      random: Math.random,
      log: memoryLogger('error'),
      metrics: new Registry(),
      ...fast,
    });
    await src.start(() => {});
    try {
      const o = await until('synced', () => src.observe().synced && src.observe());
      expect(o.l2Policies?.map((p) => p.metadata.name)).toEqual(['lan']);
      expect(o.l2Policies?.[0]?.spec.interfaces).toEqual(['^eth[0-9]+$']);
      // every Node, reduced to name and labels (no status: images and conditions are the bulk)
      const nodes = [...(o.nodes ?? [])].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      expect(nodes.map((n) => [n.metadata.name, n.metadata.labels])).toEqual([
        ['master', { zone: 'dmz' }],
        ['pi4', { zone: 'lan' }],
        ['worker', { zone: 'lan' }],
      ]);
      for (const n of nodes) expect(n.status).toBeUndefined();
      // this node keeps its full object (router ID and next hops read its addresses)
      expect(o.node?.status?.addresses?.[0]?.address).toBe('192.168.2.10');

      // another node's label changes: seen
      const master = server.get('v1', 'Node', undefined, 'master');
      server.update({ ...master, metadata: { ...master.metadata, labels: { zone: 'lan' } } });
      await until('label seen', () =>
        src.observe().nodes?.some((n) => n.metadata.name === 'master' && n.metadata.labels?.zone === 'lan'),
      );

      await until('leader', () => src.leadership.isLeader());
      await src.writer.writeL2PolicyStatus?.(src.observe().l2Policies![0]!, {
        type: 'Valid',
        status: 'True',
        reason: 'Valid',
        message: 'Policy is valid',
      });
      const stored = server.get('edgelb.io/v1alpha1', 'L2AnnouncementPolicy', undefined, 'lan');
      expect(stored.status.conditions).toHaveLength(1);
      expect(stored.status.conditions[0]).toMatchObject({ type: 'Valid', status: 'True' });

      // nodeEvent does not depend on leadership (the L2 owner is usually not the leader)
      await src.elector.stop();
      expect(src.leadership.isLeader()).toBe(false);
      const svc = src.observe().services[0]!;
      src.writer.event(svc, 'Allocated', 'Normal', 'leader-only event');
      src.writer.nodeEvent?.(svc, 'L2Announcing', 'Normal', 'announcing 192.168.2.201 from node pi4 on eth0');
      const events = await until('event', () => {
        const list = server.list('events.k8s.io/v1', 'Event', 'default');
        return list.length > 0 && list;
      });
      expect(events.map((e: { reason: string; note: string }) => [e.reason, e.note])).toEqual([
        ['L2Announcing', 'announcing 192.168.2.201 from node pi4 on eth0'],
      ]);
    } finally {
      await src.stop();
    }
  });
});

describe('KubernetesSource: the L2 CRD not installed (an upgrade that did not apply the manifests)', () => {
  let server: TestApiServer;
  beforeAll(async () => {
    server = await startApiServer({ bookmarkIntervalMs: 500 });
    for (const crd of customResourceDefinitions())
      if (crd.spec.names.kind !== 'L2AnnouncementPolicy') server.create(crd);
    server.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'pi4' } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('still syncs (BGP keeps working), with no L2 policy, and names the failing list', async () => {
    const src = new KubernetesSource({
      config: { ...config, kubeconfig: server.kubeconfigCert },
      nodeName: 'pi4',
      clock: systemClock,
      random: Math.random,
      log: memoryLogger('error'),
      metrics: new Registry(),
      ...fast,
    });
    await src.start(() => {});
    try {
      const o = await until('synced', () => src.observe().synced && src.observe());
      expect(o.l2Policies).toEqual([]);
      await until('problem', () => src.problems().some((p) => p.includes('l2announcementpolicies')));
    } finally {
      await src.stop();
    }
  });
});
