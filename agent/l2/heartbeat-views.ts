/**
 * The other nodes' heartbeat views (heartbeat-lease.ts heartbeatView) as L2Ownership reads them
 * on every watch event: a Lease unchanged since the last read keeps its view, and a renewal
 * that claims the same IPs keeps its parsed claims (10,000 claims are not parsed again on every
 * renewal). No I/O.
 */
import { type HeartbeatLease, heartbeatView, OWNED_ANNOTATION } from './heartbeat-lease.ts';
import type { HeartbeatView } from './liveness.ts';

export class HeartbeatViews {
  /** The last view of each other node's Lease, reused while the Lease is unchanged (no re-parse of its claims). */
  private views = new Map<string, { lease: HeartbeatLease; view: HeartbeatView | undefined }>();

  /**
   * The views of `leases` in their order, except the Lease named `self`, which goes to `onOwn`
   * (in its place in that order). Leases that are not heartbeats give no view. Forgets the
   * Leases not in `leases`.
   */
  read(leases: readonly HeartbeatLease[], self: string, onOwn: (l: HeartbeatLease) => void): HeartbeatView[] {
    const others: HeartbeatView[] = [];
    const views = new Map<string, { lease: HeartbeatLease; view: HeartbeatView | undefined }>();
    for (const l of leases) {
      if (l.metadata.name === self) {
        onOwn(l);
        continue;
      }
      const cached = this.views.get(l.metadata.name);
      const known = cached?.view && {
        text: cached.lease.metadata.annotations?.[OWNED_ANNOTATION] ?? '',
        owned: cached.view.owned,
      };
      const v = cached && sameLease(cached.lease, l) ? cached.view : heartbeatView(l, known);
      views.set(l.metadata.name, { lease: l, view: v });
      if (v) others.push(v);
    }
    this.views = views;
    return others;
  }
}

/** The fields heartbeatView reads are the same (the claims compared as text, not parsed). */
function sameLease(a: HeartbeatLease, b: HeartbeatLease): boolean {
  if (a === b) return true;
  return (
    a.metadata.name === b.metadata.name &&
    a.spec?.holderIdentity === b.spec?.holderIdentity &&
    a.spec?.leaseDurationSeconds === b.spec?.leaseDurationSeconds &&
    a.spec?.renewTime === b.spec?.renewTime &&
    a.spec?.acquireTime === b.spec?.acquireTime &&
    a.metadata.annotations?.[OWNED_ANNOTATION] === b.metadata.annotations?.[OWNED_ANNOTATION]
  );
}
