/**
 * PURE. The per-node heartbeat Lease `edgelb-node-<node>`: its name, label, the annotation that
 * carries the IPs the node claims, and the reduction to a HeartbeatView. One Lease per node
 * (not per Service, Cilium's cost: trap 9), so API writes grow with nodes only.
 */
import { type Lease, type LeaseSpec, microTime } from '../kube/lease-record.ts';
import type { HeartbeatView } from './liveness.ts';

export const HEARTBEAT_PREFIX = 'edgelb-node-';
/** Every heartbeat Lease carries it; nodes watch Leases with this label selector. */
export const HEARTBEAT_LABEL = 'edgelb.io/l2-heartbeat';
export const HEARTBEAT_SELECTOR = `${HEARTBEAT_LABEL}=true`;
/** The IPs the node claims: sorted, comma-separated, "" for none. */
export const OWNED_ANNOTATION = 'edgelb.io/l2-owned';
/** leaseDurationSeconds of a released Lease (client-go's ReleaseOnCancel writes 1 s too). */
export const RELEASED_DURATION_SECONDS = 1;

export type HeartbeatLease = Lease & {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
};

export function heartbeatLeaseName(node: string): string {
  return `${HEARTBEAT_PREFIX}${node}`;
}

export function formatOwned(owned: Iterable<string>): string {
  return [...new Set(owned)].sort().join(',');
}

export function parseOwned(s: string | undefined): Set<string> {
  return new Set((s ?? '').split(',').filter((x) => x !== ''));
}

export interface HeartbeatWrite {
  node: string;
  /** The node's clock (ms) when the write started: becomes renewTime. */
  now: number;
  durationSeconds: number;
  owned: Iterable<string>;
  /** formatOwned(owned), when the caller has it already (10,000 IPs take a while to sort). */
  ownedText?: string;
  /** First acquisition by this process (kept across renewals). */
  acquireTime: string;
  /** Empty holder and 1 s: a clean stop. */
  release?: boolean;
}

/** The Lease to PUT (or POST), built over the cached one to keep its resourceVersion. */
export function heartbeatLease(
  base: HeartbeatLease | undefined,
  namespace: string,
  w: HeartbeatWrite,
): HeartbeatLease {
  const spec: LeaseSpec = {
    ...(base?.spec ?? {}),
    holderIdentity: w.release ? '' : w.node,
    leaseDurationSeconds: w.release ? RELEASED_DURATION_SECONDS : w.durationSeconds,
    acquireTime: w.acquireTime,
    renewTime: microTime(w.now),
    leaseTransitions: base?.spec.leaseTransitions ?? 0,
  };
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      ...(base?.metadata ?? {}),
      name: heartbeatLeaseName(w.node),
      namespace,
      labels: { ...(base?.metadata.labels ?? {}), [HEARTBEAT_LABEL]: 'true' },
      annotations: {
        ...(base?.metadata.annotations ?? {}),
        [OWNED_ANNOTATION]: w.release ? '' : (w.ownedText ?? formatOwned(w.owned)),
      },
    },
    spec,
  };
}

/**
 * The view ownership reads, or undefined for a Lease that is not a heartbeat. `known`: claims
 * already parsed from the same annotation text (a renewal that claims the same IPs), reused
 * as they are instead of parsed again.
 */
export function heartbeatView(
  l: HeartbeatLease,
  known?: { text: string; owned: ReadonlySet<string> },
): HeartbeatView | undefined {
  const name = l.metadata.name;
  if (!name.startsWith(HEARTBEAT_PREFIX) || name.length === HEARTBEAT_PREFIX.length) return undefined;
  const holder = l.spec?.holderIdentity ?? '';
  const owned = l.metadata.annotations?.[OWNED_ANNOTATION] ?? '';
  const durationSeconds = l.spec?.leaseDurationSeconds ?? 0;
  return {
    node: name.slice(HEARTBEAT_PREFIX.length),
    holder,
    durationMs: durationSeconds * 1000,
    owned: known && known.text === owned ? known.owned : parseOwned(owned),
    raw: JSON.stringify([holder, durationSeconds, l.spec?.renewTime ?? '', l.spec?.acquireTime ?? '', owned]),
  };
}
