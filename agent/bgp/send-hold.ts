/**
 * SHELL. The RFC 9687 SendHoldTimer on its own timer (not the keepalive's, which does not run
 * with hold time 0): while a connection is up it fires at the latest SendHoldTime after the
 * socket last refused data, and only then. Running, it re-arms for the time left: with the socket
 * writable, a full SendHoldTime; blocked since B, at B + SendHoldTime exactly. One timer per
 * session, no work per write. All on monotonic time: a step of the wall clock neither ends the
 * session early nor lets a peer that stopped reading keep it for longer.
 */
import { type Clock, monotonicNow, type Timer } from '../lib/clock.ts';

export class SendHoldTimer {
  private timer: Timer | undefined;

  constructor(
    private readonly clock: Clock,
    /** SendHoldTime now (it follows the negotiated hold time). */
    private readonly holdMs: () => number,
    /** When the socket started refusing data (monotonic), undefined while it takes it. */
    private readonly blockedSince: () => number | undefined,
    private readonly expired: () => void,
  ) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    this.stop();
    this.arm();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private arm(): void {
    const since = this.blockedSince();
    const left = since === undefined ? this.holdMs() : since + this.holdMs() - monotonicNow(this.clock);
    if (left <= 0) {
      this.timer = undefined;
      this.expired();
      return;
    }
    this.timer = this.clock.setTimer(left, () => this.arm());
  }
}
