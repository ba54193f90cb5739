/**
 * PURE. Why a peer is not Established: the last connect error, NOTIFICATION or session loss,
 * and since when it has been that (the same message keeps its first time). A change is
 * reported for a warn log at most once per LAST_ERROR_WARN_INTERVAL_MS per peer.
 */

/** A peer's reason changing faster than this (refused, timeout, refused...) logs once per interval. */
export const LAST_ERROR_WARN_INTERVAL_MS = 60_000;

export interface LastError {
  message: string;
  /** Epoch ms of the first time this message was seen in a row. */
  at: number;
}

export class LastErrorTracker {
  private current: LastError | undefined;
  private lastWarnAt: number | undefined;

  get value(): LastError | undefined {
    return this.current;
  }

  /**
   * Records a reason; true when it is a change that should be logged now. `now` (wall) is the
   * time shown; `monotonic` (default: now) paces the log, so a step of the wall clock neither
   * silences it nor lets it flood.
   */
  record(message: string, now: number, monotonic = now): boolean {
    if (this.current?.message === message) return false;
    this.current = { message, at: now };
    if (this.lastWarnAt !== undefined && monotonic - this.lastWarnAt < LAST_ERROR_WARN_INTERVAL_MS)
      return false;
    this.lastWarnAt = monotonic;
    return true;
  }

  /** The session is Established: nothing to explain any more. */
  clear(): void {
    this.current = undefined;
  }
}
