/**
 * PURE. ROUTE-REFRESH (RFC 2918) requests of one peer, coalesced: per family at most one re-send
 * in flight and one queued. A request while one is queued costs a set lookup and nothing else; a
 * request while one is in flight queues one more (the part already sent went out before the
 * request), never a second. A queued re-send starts no sooner than REFRESH_MIN_INTERVAL_MS after
 * the previous one of its family started, so a flood costs at most one table per family per
 * interval, whatever its rate.
 */

export type Family = 'ipv4' | 'ipv6';

/** The least time between the starts of two re-sends of one family to one peer. */
export const REFRESH_MIN_INTERVAL_MS = 1000;

export class RefreshQueue {
  private readonly queued = new Set<Family>();
  private readonly lastStart = new Map<Family, number>();
  /** The family being re-sent, if any (the caller walks its table). */
  active: Family | undefined;
  /** Requests absorbed by one already queued (for tests and /status). */
  coalesced = 0;

  /** A request: true when it queued a re-send, false when one was already queued. */
  request(f: Family): boolean {
    if (this.queued.has(f)) {
      this.coalesced++;
      return false;
    }
    this.queued.add(f);
    return true;
  }

  /**
   * The family to start re-sending now (it becomes `active`), or the time to ask again,
   * or nothing when no request is waiting. Call only while nothing is active.
   */
  start(now: number): { family: Family } | { wakeAt: number } | undefined {
    let wakeAt: number | undefined;
    for (const f of this.queued) {
      const due = (this.lastStart.get(f) ?? Number.NEGATIVE_INFINITY) + REFRESH_MIN_INTERVAL_MS;
      if (now >= due) {
        this.queued.delete(f);
        this.lastStart.set(f, now);
        this.active = f;
        return { family: f };
      }
      wakeAt = wakeAt === undefined ? due : Math.min(wakeAt, due);
    }
    return wakeAt === undefined ? undefined : { wakeAt };
  }

  /** The active re-send reached the end of its table. */
  finish(): void {
    this.active = undefined;
  }

  /** The session went down: nothing is owed any more (the pacing history stays). */
  clear(): void {
    this.queued.clear();
    this.active = undefined;
  }

  get waiting(): number {
    return this.queued.size;
  }
}
