/**
 * This node's announcement truth, from the last plan and the running sessions: the blocked IPs
 * (for /status, /readyz, edgelb_announcements_blocked and the EdgeLBNode), and `explain` for
 * one Service (/explain). Computed when asked, never stored.
 */
import { type ServiceObject, serviceKey } from '../api/core.ts';
import type { EdgeLBNodeStatus } from '../api/edgelb-node.ts';
import type { Registry } from '../lib/metrics.ts';
import type { ObservedState } from '../source/types.ts';
import type { AnnouncePlan } from './plan/announce.ts';
import {
  ANNOUNCE_REASONS,
  type AnnounceReason,
  announceReason,
  type BlockedIP,
  blockedAnnouncements,
  blockedCounts,
  type PeerFacts,
} from './plan/announce-reasons.ts';
import { type Explanation, explainService } from './plan/explain.ts';
import { nodeStatus, type SinceMemory } from './plan/node-status.ts';
import type { StatusInputs } from './status.ts';

export type AnnouncementInputs = Pick<StatusInputs, 'source' | 'reconciler' | 'speaker' | 'node'>;

function peerFacts(i: AnnouncementInputs): PeerFacts[] {
  return i.speaker()?.status() ?? [];
}

/** IPs a policy sends to a peer on this node that no peer carries now. */
export function blockedNow(i: AnnouncementInputs): BlockedIP[] {
  const plan = i.reconciler.plan();
  if (!plan) return [];
  return blockedAnnouncements(plan.advertisements, peerFacts(i));
}

/**
 * Intended reasons that hold for a Service on this node from features outside the announcement
 * plan (node maintenance, sticky IPs): they plug in here and show in /explain.
 */
export type ExtraReasons = (svc: ServiceObject, observed: ObservedState) => AnnounceReason[];

/**
 * The intended reasons the last announcement plan carries: the node's own (drained, excluded,
 * cordoned, shutting down) for every Service, and the health gate for the Services it withholds.
 */
export function planReasons(plan: () => AnnouncePlan | undefined): ExtraReasons {
  return (svc) => {
    const p = plan();
    if (!p) return [];
    const key = serviceKey(svc);
    const out = p.withheld.map((w) => announceReason(w.reason, w.message));
    for (const w of p.withheldServices ?? [])
      if (w.service === key && w.reason === 'NoReadyEndpoints')
        out.push(announceReason('HealthGated', w.message));
    return out;
  };
}

/** The explanation for "namespace/name"; undefined when this node sees no such Service. */
export function explainNow(
  i: AnnouncementInputs & Partial<Pick<StatusInputs, 'l2'>>,
  key: string,
  extra?: ExtraReasons,
): Explanation | undefined {
  const observed = i.source.observe();
  const svc = observed.services.find((s) => serviceKey(s) === key);
  if (!svc) return undefined;
  const r = i.reconciler.results().find((x) => x.key === key);
  return explainService({
    nodeName: i.node,
    nodeLabels: observed.node?.metadata.labels ?? {},
    policies: observed.policies,
    service: svc,
    endpointSlices: observed.endpointSlices,
    peers: peerFacts(i),
    ...(r?.ok ? { pool: r.pool } : {}),
    ...(extra ? { extraReasons: extra(svc, observed) } : {}),
    ...(i.l2 ? { l2Owned: i.l2().owned } : {}),
  });
}

/** edgelb_announcements_blocked{reason}: every blocked code, 0 when none (so alerts see the series). */
export function registerBlockedMetric(metrics: Registry, blocked: () => readonly BlockedIP[]): void {
  const codes = Object.entries(ANNOUNCE_REASONS)
    .filter(([, r]) => r.kind === 'blocked')
    .map(([c]) => c);
  metrics.collect(
    'edgelb_announcements_blocked',
    'Allocated IPs a policy sends from this node that no BGP peer carries, by reason.',
    'gauge',
    () => {
      const counts = blockedCounts(blocked());
      const all = new Set([...codes, ...counts.keys()]);
      return [...all].sort().map((reason) => ({ labels: { reason }, value: counts.get(reason) ?? 0 }));
    },
  );
}

/** This node's EdgeLBNode status now; undefined until the source has synced. */
export function nodeStatusNow(
  i: AnnouncementInputs & Pick<StatusInputs, 'l2' | 'bfd'>,
  memory: SinceMemory,
  now: number,
): EdgeLBNodeStatus | undefined {
  if (!i.source.observe().synced) return undefined;
  const speaker = i.speaker();
  const peers = (speaker?.status() ?? []).map((p) => {
    const bfd = i.bfd?.status(p.address);
    return bfd ? { ...p, bfd } : p;
  });
  return nodeStatus(
    {
      peers,
      advertised: speaker?.advertised() ?? [],
      l2Owned: i.l2?.().owned.map((o) => o.ip) ?? [],
      blocked: blockedNow(i),
      withheld: i.reconciler.plan()?.withheld ?? [],
      now,
    },
    memory,
  );
}
