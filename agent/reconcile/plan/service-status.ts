/**
 * PURE. What a Service's status and Events say about its IPAM result: the condition written,
 * whether status already says it, and the Events a successful write records.
 */
import type { ServiceObject } from '../../api/core.ts';
import { SERVICE_CONDITION } from '../../api/v1alpha1.ts';
import type { FailureReason, ServiceResult } from '../../ipam/types.ts';
import type { EventKind, ServiceStatusWrite } from '../../source/types.ts';
import { FAILURE_REASONS, failureReason } from './reasons.ts';

/** Condition reasons are CamelCase in Kubernetes: "pool-exhausted" -> "PoolExhausted" (reasons.ts). */
export function reasonName(reason: string): string {
  const known = FAILURE_REASONS[reason as FailureReason];
  if (known) return known;
  return reason
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** The status write for a result. */
export function serviceStatus(svc: ServiceObject, r: ServiceResult): ServiceStatusWrite {
  return {
    ips: r.ok ? r.ips : [],
    condition: {
      type: SERVICE_CONDITION,
      status: r.ok ? 'True' : 'False',
      reason: r.ok ? 'Allocated' : reasonName(r.reason),
      message: r.message,
      ...(svc.metadata.generation !== undefined ? { observedGeneration: svc.metadata.generation } : {}),
    },
  };
}

/** Status already says what the result says (no allocation: runs for every Service in a full pass). */
export function statusMatches(svc: ServiceObject, r: ServiceResult): boolean {
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  const want = r.ok ? r.ips : [];
  let n = 0;
  for (const ing of ingress) {
    if (!ing.ip) continue;
    if (want[n] !== ing.ip) return false;
    n++;
  }
  if (n !== want.length) return false;
  const c = svc.status?.conditions?.find((x) => x.type === SERVICE_CONDITION);
  if (!c) return false;
  const reason = r.ok ? 'Allocated' : reasonName(r.reason);
  return c.status === (r.ok ? 'True' : 'False') && c.reason === reason && c.message === r.message;
}

/** A failure's Warning Event carries the condition's reason (reasons.ts). */
export function eventKind(reason: FailureReason): EventKind {
  return failureReason(reason);
}

export interface ServiceEvent {
  kind: EventKind;
  type: 'Normal' | 'Warning';
  message: string;
}

/** The Events for a written result, given the IPs status held before the write. */
export function serviceEvents(r: ServiceResult, before: readonly string[]): ServiceEvent[] {
  const out: ServiceEvent[] = [];
  if (r.ok) {
    if (r.ips.join(',') !== before.join(','))
      out.push({
        kind: 'Allocated',
        type: 'Normal',
        message: `Assigned ${r.ips.join(', ')} from pool ${r.pool}`,
      });
    if (r.replaced)
      out.push({
        kind: 'Conflict',
        type: 'Warning',
        message: `Replaced ${r.replaced.ips.join(', ')}: ${r.replaced.why}`,
      });
    for (const t of r.tookHold ?? [])
      out.push({
        kind: 'HeldIPTaken',
        type: 'Warning',
        message: `Took ${t.ip}, held for deleted Service ${t.heldFor} until ${t.expires}: the pool had no other free address`,
      });
    return out;
  }
  if (before.length > 0)
    out.push({ kind: 'Released', type: 'Warning', message: `Released ${before.join(', ')}: ${r.message}` });
  out.push({ kind: eventKind(r.reason), type: 'Warning', message: r.message });
  return out;
}
