/**
 * PURE. client-go's leader-election decisions (tools/leaderelection, tryAcquireOrRenew)
 * without I/O: the record <-> Lease spec mapping, MicroTime, and what to write next.
 * Expiry is judged on the observer's own clock from the moment it last saw the record
 * change, never from the holder's renewTime. That clock is monotonic (as client-go's): a
 * wall-clock step cannot shorten or lengthen a lease; wall time only fills the record's
 * acquireTime and renewTime, which are for people to read.
 */

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: LeaseSpec;
}

export interface LeaderElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string;
  renewTime: string;
  leaseTransitions: number;
}

/** What this candidate has seen: the record, its serialized form, and when (local clock) it last changed. */
export interface Observed {
  record: LeaderElectionRecord | undefined;
  raw: string;
  /** Local monotonic clock (ms) at which the record was last seen to change. */
  time: number;
}

export const NOTHING_OBSERVED: Observed = { record: undefined, raw: '', time: 0 };

/** JitterFactor of client-go's acquire loop. */
export const JITTER_FACTOR = 1.2;

/** metav1.MicroTime: RFC 3339 with exactly 6 fractional digits (the API server rejects 3). */
export function microTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-01-02T03:04:05.678Z
  return `${iso.slice(0, 23)}000Z`;
}

export function recordFromSpec(spec: LeaseSpec | undefined): LeaderElectionRecord {
  return {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    acquireTime: spec?.acquireTime ?? '',
    renewTime: spec?.renewTime ?? '',
    leaseTransitions: spec?.leaseTransitions ?? 0,
  };
}

export function specFromRecord(r: LeaderElectionRecord): LeaseSpec {
  return {
    holderIdentity: r.holderIdentity,
    leaseDurationSeconds: r.leaseDurationSeconds,
    acquireTime: r.acquireTime,
    renewTime: r.renewTime,
    leaseTransitions: r.leaseTransitions,
  };
}

export function rawRecord(r: LeaderElectionRecord): string {
  return JSON.stringify([
    r.holderIdentity,
    r.leaseDurationSeconds,
    r.acquireTime,
    r.renewTime,
    r.leaseTransitions,
  ]);
}

/** Step 3 of tryAcquireOrRenew: a record that differs from the last one seen restarts the observer's clock. */
export function observe(prev: Observed, record: LeaderElectionRecord, now: number): Observed {
  const raw = rawRecord(record);
  if (raw === prev.raw) return prev;
  return { record, raw, time: now };
}

/** After our own successful write: we saw that record at `now`. */
export function observeOwnWrite(record: LeaderElectionRecord, now: number): Observed {
  return { record, raw: rawRecord(record), time: now };
}

export function isHolder(o: Observed, identity: string): boolean {
  return o.record?.holderIdentity === identity;
}

/** observedTime + observed leaseDuration > now */
export function isLeaseValid(o: Observed, now: number): boolean {
  if (!o.record) return false;
  return o.time + o.record.leaseDurationSeconds * 1000 > now;
}

export function desiredRecord(
  identity: string,
  leaseDurationSeconds: number,
  now: number,
): LeaderElectionRecord {
  const t = microTime(now);
  return {
    holderIdentity: identity,
    leaseDurationSeconds,
    acquireTime: t,
    renewTime: t,
    leaseTransitions: 0,
  };
}

/** Fast path: the holder renews from its cached record (keeps acquireTime and transitions). */
export function renewRecord(
  o: Observed,
  identity: string,
  leaseDurationSeconds: number,
  now: number,
): LeaderElectionRecord {
  const r = desiredRecord(identity, leaseDurationSeconds, now);
  return {
    ...r,
    acquireTime: o.record?.acquireTime || r.acquireTime,
    leaseTransitions: o.record?.leaseTransitions ?? 0,
  };
}

export type Decision = { kind: 'update'; record: LeaderElectionRecord } | { kind: 'held'; holder: string };

/**
 * Steps 4-5, after observing the current record: may we write, and what? `now` is the
 * observer's monotonic time (as in `o.time`); `wall` stamps the record (default: `now`).
 */
export function decide(
  o: Observed,
  identity: string,
  leaseDurationSeconds: number,
  now: number,
  wall = now,
): Decision {
  const current = o.record ?? recordFromSpec(undefined);
  if (current.holderIdentity !== '' && isLeaseValid(o, now) && current.holderIdentity !== identity) {
    return { kind: 'held', holder: current.holderIdentity };
  }
  const r = desiredRecord(identity, leaseDurationSeconds, wall);
  if (current.holderIdentity === identity) {
    return {
      kind: 'update',
      record: {
        ...r,
        acquireTime: current.acquireTime || r.acquireTime,
        leaseTransitions: current.leaseTransitions,
      },
    };
  }
  return { kind: 'update', record: { ...r, leaseTransitions: current.leaseTransitions + 1 } };
}

/** ReleaseOnCancel: empty holder, 1 s duration, transitions unchanged. */
export function releaseRecord(o: Observed, now: number): LeaderElectionRecord {
  const t = microTime(now);
  return {
    holderIdentity: '',
    leaseDurationSeconds: 1,
    acquireTime: t,
    renewTime: t,
    leaseTransitions: o.record?.leaseTransitions ?? 0,
  };
}

/** wait.Jitter(d, 1.2): d + random * 1.2 * d */
export function jittered(ms: number, random: () => number): number {
  return ms + random() * JITTER_FACTOR * ms;
}

export interface ElectionTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** NewLeaderElector's validation; returns a problem or undefined. */
export function validateTimings(t: ElectionTimings): string | undefined {
  if (t.leaseDurationMs <= t.renewDeadlineMs) return 'leaseDuration must be greater than renewDeadline';
  if (t.renewDeadlineMs <= JITTER_FACTOR * t.retryPeriodMs)
    return 'renewDeadline must be greater than 1.2 x retryPeriod';
  if (t.retryPeriodMs < 1) return 'retryPeriod must be positive';
  return undefined;
}
