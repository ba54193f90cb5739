/**
 * This node's heartbeat writes as its own watch delivers them back (L2Ownership,
 * ownership-controller.ts): the newest write seen fixes the horizon of the node's view of the
 * others (monotonic start of that write) and the claims it confirms. Writes are remembered from
 * their start until seen back, at most MAX_PENDING_WRITES of them (the watch may be down).
 * No I/O, no clock: times come from the Heartbeat.
 */
import type { HeartbeatWriteStart } from './heartbeat.ts';

/** Writes remembered while the watch has not delivered them back (the watch may be down). */
const MAX_PENDING_WRITES = 64;

export class OwnWrites {
  /** Monotonic start (ms) of our newest write the watch delivered back. */
  horizon = Number.NEGATIVE_INFINITY;
  /** The claims of that write, less those dropped since. */
  confirmed: ReadonlySet<string> = new Set();
  /** Writes started and not yet seen back, oldest first (startedAt monotonic, renewTime wall). */
  private pending: { startedAt: number; renewTime: string; owned: ReadonlySet<string> }[] = [];

  /** A write started (Heartbeat's onWriteStarted). */
  started(w: HeartbeatWriteStart): void {
    // Owned sets are never mutated (only replaced), so a write shares the heartbeat's set.
    this.pending.push({ ...w, owned: w.owned });
    if (this.pending.length > MAX_PENDING_WRITES) this.pending.shift();
  }

  /** Our own Lease as the watch delivered it: the newest write it shows fixes the view's horizon. */
  seen(renewTime: string | undefined): void {
    if (renewTime === undefined) return;
    const i = this.pending.findIndex((w) => w.renewTime === renewTime);
    if (i < 0) return;
    const w = this.pending[i]!;
    this.horizon = Math.max(this.horizon, w.startedAt);
    this.confirmed = w.owned;
    this.pending = this.pending.slice(i + 1);
  }

  /**
   * A dropped claim loses its confirmation, in the writes already seen and in those in flight: a
   * claim taken again must be confirmed by a write started after it, or another node that saw
   * the drop could be answering too.
   */
  forgetDropped(next: ReadonlySet<string>): void {
    const keep = (s: ReadonlySet<string>) => new Set([...s].filter((ip) => next.has(ip)));
    this.confirmed = keep(this.confirmed);
    for (const w of this.pending) w.owned = keep(w.owned);
  }
}
