/**
 * SHELL. A session's output pump: encodes the Adj-RIB-Out's pending changes (then a due
 * ROUTE-REFRESH re-send) in rounds of OUTPUT_BUDGET_BYTES while the socket takes them without
 * buffering (canWrite); the socket's drain runs it again, and a timer on the injected clock
 * when a paced re-send becomes due. Nothing is encoded for a socket that cannot take it. The
 * pacing runs on monotonic time: a step of the wall clock neither delays nor hurries a re-send.
 */
import { type Clock, monotonicNow, type Timer } from '../lib/clock.ts';
import type { AdjRibOut, RibOutContext } from './adj-rib-out.ts';
import type { BgpConnection } from './transport.ts';

/**
 * Encoded bytes handed to the socket per round; rounds go on only while the socket takes data
 * without buffering it, so what waits in user space toward a peer that stops reading is about
 * this much plus the socket's own high-water mark.
 */
export const OUTPUT_BUDGET_BYTES = 64 * 1024;

export interface PumpHost {
  /** The connection while the session is Established, else undefined. */
  connection(): BgpConnection | undefined;
  context(): RibOutContext;
  send(b: Uint8Array): void;
  /** After a run that sent something: how many UPDATEs carried routes. */
  sent(updates: number): void;
}

export class OutputPump {
  private wake: { at: number; timer: Timer } | undefined;

  constructor(
    private readonly rib: AdjRibOut,
    private readonly clock: Clock,
    private readonly host: PumpHost,
  ) {}

  run(): void {
    const c = this.host.connection();
    if (!c) return;
    const ctx = this.host.context();
    let updates = 0;
    let sent = false;
    while (this.host.connection() === c && c.canWrite) {
      const out = this.rib.take(ctx, OUTPUT_BUDGET_BYTES, monotonicNow(this.clock));
      for (const m of out.messages) this.host.send(m);
      updates += out.updates;
      if (out.messages.length) sent = true;
      if (out.wakeAt !== undefined) this.wakeAt(out.wakeAt);
      if (!out.messages.length) break;
    }
    if (sent) this.host.sent(updates);
  }

  /** The session is closing: no wake-up is owed. */
  cancel(): void {
    this.wake?.timer.cancel();
    this.wake = undefined;
  }

  private wakeAt(at: number): void {
    if (this.wake && this.wake.at <= at) return;
    this.cancel();
    const timer = this.clock.setTimer(at - monotonicNow(this.clock), () => {
      this.wake = undefined;
      this.run();
    });
    this.wake = { at, timer };
  }
}
