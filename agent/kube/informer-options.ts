/**
 * ADAPTER. What an informer is given (InformerOptions) and the objects it caches (KubeObject,
 * keyed "namespace/name" by objectKey).
 */
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { Counter } from '../lib/metrics.ts';
import type { KubeClient } from './transport.ts';

export interface KubeObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string };
}

export interface InformerOptions<T extends KubeObject> {
  /** Metric label and log name: "services", "nodes"... */
  resource: string;
  /** Collection path, e.g. /api/v1/services or /apis/edgelb.io/v1alpha1/loadbalancerippools */
  path: string;
  /** The objects' kind ("Service"): a list or event object that names another kind is rejected. */
  kind?: string;
  labelSelector?: string;
  fieldSelector?: string;
  filter?: (o: T) => boolean;
  /**
   * Reduces a (filtered) object to what edgelb reads before it is cached, so the full object
   * is kept nowhere. Must return a new object and keep whatever a writer sends back.
   */
  project?: (o: T, previous: T | undefined) => T;
  /** Keep the keys of changed objects for takeChanges() (the reconcile loop's incremental path). */
  trackChanges?: boolean;
  client: KubeClient;
  clock: Clock;
  random: () => number;
  log: Logger;
  restarts: Counter;
  /** Rejected responses (bad shape, not JSON, too large, an item that could not be handled). */
  malformed?: Counter;
  onChange?: () => void;
  /** A watch with no event (bookmarks count) for this long is restarted. Default 150 s. */
  silenceMs?: number;
  /** Server-side watch timeout; default 300-600 s (randomised, as client-go does). */
  watchTimeoutSeconds?: number;
  backoff?: { baseMs: number; capMs: number };
  /** List request timeout. */
  requestTimeoutMs?: number;
}

export function objectKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}
