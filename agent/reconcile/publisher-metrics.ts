/**
 * The publish step's metrics: the pool figures, the Services without an IP by reason and the
 * invalid objects by kind (the leader's gauges, removed when this node stops leading), and the
 * allocation, error and failed-write counters. Used by status-publisher.ts.
 */
import type { Ipam } from '../ipam/ipam.ts';
import type { Registry } from '../lib/metrics.ts';
import type { PoolResult } from './plan/pool-conditions.ts';
import { FAILURE_REASONS, failureReason } from './plan/reasons.ts';
import type { ValidObjects } from './plan/valid-objects.ts';

export type PublisherMetrics = ReturnType<typeof publisherMetrics>;

/** Registers the publisher's metrics, in the order /metrics lists them. */
export function publisherMetrics(r: Registry) {
  return {
    poolIPs: r.gauge('edgelb_ipam_pool_ips', 'Deprecated: use edgelb_ipam_pool_capacity_ips and _used_ips.', [
      'pool',
      'state',
    ]),
    capacity: r.gauge('edgelb_ipam_pool_capacity_ips', 'Addresses a pool can hand out.', ['pool']),
    used: r.gauge('edgelb_ipam_pool_used_ips', 'Addresses of a pool in use by Services.', ['pool']),
    held: r.gauge('edgelb_ipam_pool_held_ips', 'Addresses of a pool held for deleted Services.', ['pool']),
    withoutIP: r.gauge(
      'edgelb_services_without_ip',
      'LoadBalancer Services that have no IP now, by reason.',
      ['reason'],
    ),
    invalid: r.gauge('edgelb_invalid_objects', 'Objects edgelb ignores because they are invalid, by kind.', [
      'kind',
    ]),
    allocations: r.counter('edgelb_ipam_allocations_total', 'IP allocations made by this node as leader.'),
    errors: r.counter('edgelb_ipam_errors_total', 'Services left without an IP, by reason.', ['reason']),
    writeErrors: r.counter('edgelb_status_write_errors_total', 'Status writes that failed, by kind.', [
      'kind',
    ]),
  };
}

/** Removes every leader gauge (not leading: the figures are another node's to report). */
export function clearLeaderGauges(m: PublisherMetrics): void {
  for (const g of [m.poolIPs, m.capacity, m.used, m.held, m.withoutIP, m.invalid]) g.remove();
}

/** Removes the pool gauges, so a deleted pool's series go. */
export function clearPoolGauges(m: PublisherMetrics): void {
  m.poolIPs.remove();
  m.capacity.remove();
  m.used.remove();
  m.held.remove();
}

/** Sets one pool's gauges from its result. */
export function setPoolGauges(m: PublisherMetrics, r: PoolResult): void {
  m.capacity.set({ pool: r.name }, Number(r.total));
  m.used.set({ pool: r.name }, Number(r.used));
  m.poolIPs.set({ pool: r.name, state: 'total' }, Number(r.total));
  m.poolIPs.set({ pool: r.name, state: 'used' }, Number(r.used));
  m.poolIPs.set({ pool: r.name, state: 'available' }, Number(r.available));
  m.held.set({ pool: r.name }, r.held ?? 0);
}

/** Every reason is present (0 when none) so an alert rule sees the series before it fires. */
export function countWithoutIP(m: PublisherMetrics, ipam: Ipam): void {
  const counts = new Map<string, number>(Object.values(FAILURE_REASONS).map((r) => [r, 0]));
  for (const r of ipam.failedResults()) {
    const reason = failureReason(r.reason);
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  for (const [reason, n] of counts) m.withoutIP.set({ reason }, n);
}

/** The invalid objects, by kind. */
export function setInvalidGauges(m: PublisherMetrics, objects: ValidObjects): void {
  m.invalid.set({ kind: 'LoadBalancerIPPool' }, objects.invalidPools.size);
  m.invalid.set({ kind: 'BGPPeeringPolicy' }, objects.invalidPolicyObjects.size);
  m.invalid.set({ kind: 'L2AnnouncementPolicy' }, objects.invalidL2PolicyObjects.size);
}
