/** KubernetesSource delivers BFDProfiles (list + watch), and a policy keeps Valid and BFDProfileResolved side by side. */
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

describe('KubernetesSource and BFDProfile', () => {
  let server: TestApiServer;
  beforeAll(async () => {
    server = await startApiServer({ bookmarkIntervalMs: 500 });
    for (const crd of customResourceDefinitions()) server.create(crd);
    server.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker' } });
    server.create({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'BFDProfile',
      metadata: { name: 'fast' },
      spec: { receiveIntervalMilliseconds: 300, transmitIntervalMilliseconds: 300, detectMultiplier: 3 },
    });
    server.create({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'BGPPeeringPolicy',
      metadata: { name: 'blog' },
      spec: {
        virtualRouters: [
          {
            localASN: 65001,
            neighbors: [{ peerAddress: '192.168.2.1/32', peerASN: 65000, bfdProfile: 'slow' }],
          },
        ],
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('profiles are listed and watched; policy conditions merge by type', async () => {
    const src = new KubernetesSource({
      config: { ...config, kubeconfig: server.kubeconfigCert },
      nodeName: 'worker',
      clock: systemClock,
      random: Math.random,
      log: memoryLogger('error'),
      metrics: new Registry(),
      ...fast,
    });
    await src.start(() => {});
    try {
      const o = await until('synced with the profile', () => {
        const s = src.observe();
        return s.synced && (s.bfdProfiles?.length ?? 0) > 0 && s;
      });
      expect(o.bfdProfiles?.map((p) => p.metadata.name)).toEqual(['fast']);
      expect(o.bfdProfiles?.[0]?.spec.detectMultiplier).toBe(3);
      server.create({
        apiVersion: 'edgelb.io/v1alpha1',
        kind: 'BFDProfile',
        metadata: { name: 'slow' },
        spec: { receiveIntervalMilliseconds: 1000 },
      });
      await until('the new profile', () =>
        src.observe().bfdProfiles?.some((p) => p.metadata.name === 'slow'),
      );

      await until('leader', () => src.leadership.isLeader());
      const policy = o.policies[0]!;
      await src.writer.writePolicyStatus(policy, {
        type: 'Valid',
        status: 'True',
        reason: 'Valid',
        message: 'Policy is valid',
      });
      await src.writer.writePolicyStatus(policy, {
        type: 'BFDProfileResolved',
        status: 'False',
        reason: 'ProfileNotFound',
        message: 'BFDProfile slow not found',
      });
      const conds = (
        server.get('edgelb.io/v1alpha1', 'BGPPeeringPolicy', '', 'blog') as {
          status: { conditions: { type: string; status: string }[] };
        }
      ).status.conditions.map((c) => `${c.type}=${c.status}`);
      expect(conds.sort()).toEqual(['BFDProfileResolved=False', 'Valid=True']);
    } finally {
      await src.stop();
    }
  }, 20_000);
});
