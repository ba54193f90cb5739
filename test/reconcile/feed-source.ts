/**
 * A source with a change feed for the reconcile loop's tests (incremental.test.ts,
 * reconciler-monotonic.test.ts): every change (status writes too) replaces the object and
 * names its key, as the Kubernetes source does.
 */
import type { ServiceObject } from '../../agent/api/core.ts';
import type { LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { Reconciler } from '../../agent/reconcile/reconciler.ts';
import type { ServiceChangeFeed } from '../../agent/reconcile/service-feed.ts';
import type { ObservedState, Source, StatusWriter } from '../../agent/source/types.ts';
import { FakeSpeaker } from '../support/fake-source.ts';

export const pool: LoadBalancerIPPool = {
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'LoadBalancerIPPool',
  metadata: { name: 'tiny', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { blocks: [{ cidr: '10.0.0.0/30' }] },
};

export const policy = {
  apiVersion: 'edgelb.io/v1alpha1' as const,
  kind: 'BGPPeeringPolicy' as const,
  metadata: { name: 'all' },
  spec: {
    virtualRouters: [
      {
        localASN: 65001,
        serviceSelector: {},
        neighbors: [{ peerAddress: '192.168.2.1/32', peerASN: 65000 }],
      },
    ],
  },
};

export function svc(name: string, created: string, annotations: Record<string, string> = {}): ServiceObject {
  return {
    metadata: { name, namespace: 'default', creationTimestamp: created, annotations, labels: { app: name } },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
  };
}

export const key = (s: ServiceObject) => `${s.metadata.namespace}/${s.metadata.name}`;

/** A source with a change feed: every change (status writes too) replaces the object and names its key. */
export class FeedSource implements Source, ServiceChangeFeed {
  readonly kind = 'kubernetes' as const;
  leader = true;
  private services = new Map<string, ServiceObject>();
  private dirty = new Set<string>();
  private all = true;
  private snapshot: ObservedState | undefined;
  writes: { key: string; ips: string[] }[] = [];
  failNext = new Set<string>();

  readonly leadership = { isLeader: () => this.leader, holder: () => 'me' };
  readonly writer: StatusWriter = {
    writeServiceStatus: async (s, w) => {
      const k = key(s);
      if (this.failNext.delete(k)) throw new Error('500 injected');
      const live = this.services.get(k);
      if (!live) return false;
      this.writes.push({ key: k, ips: w.ips });
      this.put({
        ...live,
        metadata: { ...live.metadata },
        status: {
          loadBalancer: { ingress: w.ips.map((ip) => ({ ip, ipMode: 'VIP' as const })) },
          conditions: [{ ...w.condition, lastTransitionTime: '2026-01-01T00:00:00Z' }],
        },
      });
      return true;
    },
    writePoolStatus: async () => {},
    writePolicyStatus: async () => {},
    event: () => {},
  };

  put(s: ServiceObject, { silently = false } = {}): void {
    this.services.set(key(s), s);
    if (!silently) this.dirty.add(key(s));
    this.snapshot = undefined;
  }
  remove(k: string): void {
    this.services.delete(k);
    this.dirty.add(k);
    this.snapshot = undefined;
  }
  get(name: string): ServiceObject {
    return this.services.get(`default/${name}`)!;
  }
  ips(name: string): string[] {
    return (this.get(name).status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');
  }
  takeServiceChanges(): ReadonlySet<string> | 'all' {
    if (this.all) {
      this.all = false;
      this.dirty = new Set();
      return 'all';
    }
    const out = this.dirty;
    this.dirty = new Set();
    return out;
  }
  service(k: string): ServiceObject | undefined {
    return this.services.get(k);
  }
  async start(): Promise<void> {}
  observe(): ObservedState {
    this.snapshot ??= {
      synced: true,
      node: { metadata: { name: 'worker', labels: {} } },
      pools: [pool],
      policies: [policy],
      services: [...this.services.values()],
      endpointSlices: [],
      secrets: new Map(),
    };
    return this.snapshot;
  }
  problems(): string[] {
    return [];
  }
  async stop(): Promise<void> {}
}

export function setup(opts: { fullResyncMs?: number; maxWritesPerPass?: number } = {}) {
  const source = new FeedSource();
  source.put(svc('a', '2026-01-02T00:00:00Z'));
  source.put(svc('b', '2026-01-03T00:00:00Z'));
  source.put(svc('c', '2026-01-04T00:00:00Z'));
  const clock = new FakeClock();
  const speaker = new FakeSpeaker();
  const collected: number[] = [];
  const r = new Reconciler({
    source,
    speaker: () => speaker,
    nodeName: 'worker',
    defaultSecretNamespace: 'kube-system',
    clock,
    log: memoryLogger(),
    metrics: new Registry(),
    collect: () => collected.push(clock.now()),
    collectAfter: 4,
    ...opts,
  });
  return { source, clock, speaker, r, collected };
}
