/**
 * SHELL. Every node's heartbeat Lease (heartbeat-lease.ts), watched as a cache with a change
 * callback: the port L2Ownership (ownership-controller.ts) reads, and its adapter over the
 * project's informer (label selector, namespace-scoped).
 */
import { Informer } from '../kube/informer.ts';
import type { KubeClient } from '../kube/transport.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { Counter } from '../lib/metrics.ts';
import { HEARTBEAT_SELECTOR, type HeartbeatLease } from './heartbeat-lease.ts';

/** Every node's heartbeat Lease, as a cache with a change callback. */
export interface HeartbeatWatch {
  start(onChange: () => void): void;
  stop(): void;
  list(): HeartbeatLease[];
  readonly synced: boolean;
}

/** The heartbeat Leases through the project's informer (label selector, namespace-scoped). */
export function kubeHeartbeatWatch(o: {
  client: KubeClient;
  namespace: string;
  clock: Clock;
  random: () => number;
  log: Logger;
  restarts: Counter;
  /** A watch silent this long restarts: our own renewals arrive every renewInterval. */
  silenceMs: number;
}): HeartbeatWatch {
  let informer: Informer<HeartbeatLease> | undefined;
  return {
    start(onChange) {
      informer ??= new Informer<HeartbeatLease>({
        resource: 'l2-heartbeats',
        path: `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(o.namespace)}/leases`,
        labelSelector: HEARTBEAT_SELECTOR,
        client: o.client,
        clock: o.clock,
        random: o.random,
        log: o.log,
        restarts: o.restarts,
        onChange,
        silenceMs: o.silenceMs,
        backoff: { baseMs: 200, capMs: 5_000 },
        requestTimeoutMs: 5_000,
      });
      informer.start();
    },
    stop: () => informer?.stop(),
    list: () => informer?.list() ?? [],
    get synced() {
      return informer?.synced ?? false;
    },
  };
}
