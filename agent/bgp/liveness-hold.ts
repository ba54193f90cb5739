/**
 * SHELL. Holds a session's connects while its path liveness detector (BFD) is not Up, on the
 * session's clock, following the pure gateDecision (liveness-gate.ts): connect now, or look
 * again when the detector says Up or the bounded wait runs out. The same gate applies to a
 * connection the peer opens (admitIncoming): refused while the connect would be held, so a
 * passive session, or a router that connects first, does not bring BGP up over a path BFD
 * says is down; the bounded wait counts from the first refusal, in monotonic time (a step of
 * the wall clock neither ends it early nor stretches it).
 */
import { type Clock, monotonicNow, type Timer } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import {
  DEFAULT_LIVENESS_WAIT_MS,
  type GateDecision,
  gateDecision,
  type LivenessState,
} from './liveness-gate.ts';
import type { SessionConfig } from './peer.ts';
import type { SessionDeps } from './session-types.ts';

export interface LivenessHoldOptions {
  peerId: string;
  peerAddress: string;
  clock: Clock;
  log: Logger;
  liveness?: () => LivenessState;
  maxWaitMs?: number;
}

export class LivenessHold {
  private timer: Timer | undefined;
  private waitingSince: number | undefined;
  private waitedOut = false;
  /** Set while BGP runs without BFD because the peer never answered it (for /status). */
  problem: string | undefined;

  constructor(private readonly o: LivenessHoldOptions) {}

  static forSession(config: SessionConfig, deps: SessionDeps): LivenessHold {
    return new LivenessHold({
      peerId: config.id,
      peerAddress: config.peerAddress,
      clock: deps.clock,
      log: deps.log,
      ...(deps.liveness ? { liveness: deps.liveness } : {}),
      ...(deps.livenessWaitMs !== undefined ? { maxWaitMs: deps.livenessWaitMs } : {}),
    });
  }

  /** True while a connect is held. */
  get waiting(): boolean {
    return this.timer !== undefined;
  }

  /**
   * Runs `connect` now, or once the detector is Up or the wait has run out; `stillWanted`
   * says, when the hold ends, whether the session still wants to connect.
   */
  request(connect: () => void, stillWanted: () => boolean): void {
    this.cancel();
    const d = this.decide('connecting');
    if (d.type === 'wait') {
      this.pending = () => {
        if (stillWanted()) this.request(connect, stillWanted);
      };
      this.timer = this.o.clock.setTimer(d.ms, () => {
        this.timer = undefined;
        this.pending?.();
      });
      return;
    }
    this.pending = undefined;
    connect();
  }

  /**
   * A connection the peer opened: true to go on with it, false to refuse it (the detector is
   * not Up and the bounded wait has not run out; the peer retries on its ConnectRetry timer).
   */
  admitIncoming(): boolean {
    const d = this.decide('accepting a connection');
    if (d.type === 'wait') {
      this.o.log.debug('bgp refuses the peer’s connection until BFD is up', {
        peer: this.o.peerId,
        retryAfterMs: d.ms,
      });
      return false;
    }
    return true;
  }

  /** The gate's decision now; starts the wait, or ends it (connecting without BFD: a problem). */
  private decide(what: string): GateDecision {
    const now = monotonicNow(this.o.clock);
    const maxWaitMs = this.o.maxWaitMs ?? DEFAULT_LIVENESS_WAIT_MS;
    const d = gateDecision(
      {
        liveness: this.o.liveness?.(),
        waitingSince: this.waitingSince,
        waitedOut: this.waitedOut,
        maxWaitMs,
      },
      now,
    );
    if (d.type === 'wait') {
      if (this.waitingSince === undefined) {
        this.waitingSince = now;
        this.o.log.info(`bgp waits for BFD to come up before ${what}`, { peer: this.o.peerId, maxWaitMs });
      }
      return d;
    }
    if (d.withoutLiveness && !this.waitedOut) {
      this.waitedOut = true;
      this.problem = `BFD to ${this.o.peerAddress} not Up after ${Math.round(maxWaitMs / 1000)} s: the peer does not answer BFD; BGP runs without it`;
      this.o.log.warn('bgp connects without BFD', { peer: this.o.peerId, problem: this.problem });
    }
    this.waitingSince = undefined;
    return d;
  }

  /** The detector says Up: the wait is over and a held connect goes now. */
  up(): void {
    this.waitedOut = false;
    this.problem = undefined;
    if (!this.timer) return;
    this.cancel();
    this.pending?.();
  }

  cancel(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private pending: (() => void) | undefined;
}
