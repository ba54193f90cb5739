/**
 * PURE. Which nodes are live, judged from their heartbeat Leases on the observer's own clock
 * (client-go's rule: from the moment the observer last saw the record change, never from the
 * renewTime the holder wrote), plus one guard of our own against a stale watch.
 *
 * A node is provably dead (its claims may be ignored) only when BOTH hold:
 * 1. expired: no change of its record was seen for its leaseDuration;
 * 2. our view is fresh enough: our own watch has delivered back a write of ours that STARTED at
 *    least renewDeadline after we last saw the node's record change. A node stops answering at
 *    the start of its last successful renewal + renewDeadline and aborts any request still in
 *    flight then; so any renewal that kept it answering committed before our write did, and a
 *    watch that delivered our write delivered that renewal too. Without (2), an observer whose
 *    watch silently stalled while its writes still worked would see everyone die and take their
 *    IPs while they still answer.
 * A released Lease (empty holder: a clean stop) is dead at once: its node stopped answering
 * before it wrote the release.
 */

/** What a heartbeat Lease says, reduced to what ownership reads. */
export interface HeartbeatView {
  node: string;
  /** Empty after a clean stop. */
  holder: string;
  durationMs: number;
  owned: ReadonlySet<string>;
  /** A serialization of everything the node wrote: any difference is a renewal. */
  raw: string;
}

export interface SeenHeartbeat {
  view: HeartbeatView;
  /** Observer's monotonic clock (ms) when the record was last seen to change. */
  changedAt: number;
  /** The Lease was deleted: its last claims count until it expires like any other. */
  gone?: boolean;
}

/** Deleted Leases are remembered this many lease durations, then forgotten. */
const GONE_KEPT_DURATIONS = 10;

/**
 * Updates the observations from the current Lease list. A Lease that disappears (deleted by
 * hand) is a change: its node may still be answering, so its claims stay until it expires.
 */
export function observeHeartbeats(
  prev: ReadonlyMap<string, SeenHeartbeat>,
  views: readonly HeartbeatView[],
  now: number,
): Map<string, SeenHeartbeat> {
  const out = new Map<string, SeenHeartbeat>();
  for (const v of views) {
    const p = prev.get(v.node);
    out.set(v.node, p && !p.gone && p.view.raw === v.raw ? p : { view: v, changedAt: now });
  }
  for (const [node, p] of prev) {
    if (out.has(node)) continue;
    if (!p.gone) out.set(node, { view: p.view, changedAt: now, gone: true });
    else if (now < p.changedAt + GONE_KEPT_DURATIONS * p.view.durationMs) out.set(node, p);
  }
  return out;
}

export interface Freshness {
  /** Observer's monotonic clock (ms) at which its newest write that its watch delivered back started; -Infinity if none. */
  horizon: number;
  renewDeadlineMs: number;
}

export function isExpired(s: SeenHeartbeat, now: number): boolean {
  return now >= s.changedAt + s.view.durationMs;
}

/** Live = not provably dead (see the file comment). */
export function isLive(s: SeenHeartbeat, now: number, f: Freshness): boolean {
  if (s.view.holder === '') return false;
  if (!isExpired(s, now)) return true;
  return f.horizon < s.changedAt + f.renewDeadlineMs;
}

/**
 * The earliest time after `now` at which some live node may turn dead by the clock alone
 * (the freshness condition moves with our own writes, which trigger a new decision anyway).
 */
export function nextExpiry(seen: Iterable<SeenHeartbeat>, now: number): number | undefined {
  let next: number | undefined;
  for (const s of seen) {
    if (s.view.holder === '') continue;
    const at = s.changedAt + s.view.durationMs;
    if (at > now && (next === undefined || at < next)) next = at;
  }
  return next;
}
