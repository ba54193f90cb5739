/**
 * SHELL. One BFD session: the pure state machine (fsm.ts) plus its two timers on the
 * injected clock. Executes the machine's actions: packets go to `send`, state changes to
 * `onChange`. Before acting on a Detection Time expiry it asks `beforeTimerEvent` to
 * read pending packets, so a packet already queued in the kernel is never ignored.
 */
import type { Clock, Timer } from '../lib/clock.ts';
import { type DiagnosticCode, diagnosticName } from './diagnostic.ts';
import {
  type BfdAction,
  type BfdConfig,
  type BfdEvent,
  type BfdState,
  currentDetectionTimeUs,
  currentTxIntervalUs,
  initialState,
  step,
  type TimerName,
} from './fsm.ts';
import { type ControlPacket, encodeControl, type SessionState } from './packet.ts';

export type StateChange = Extract<BfdAction, { type: 'stateChange' }>;

export interface SessionOptions {
  config: BfdConfig;
  localDiscr: number;
  clock: Clock;
  random: () => number;
  send(bytes: Uint8Array, packet: ControlPacket): void;
  onChange(change: StateChange, session: BfdSession): void;
  /** Reads pending packets (before a Detection Time expiry, and on each TX tick since we are awake). */
  beforeTimerEvent(): void;
}

/** What /status shows for one peer. */
export interface BfdSnapshot {
  state: SessionState;
  remoteState: SessionState;
  txIntervalMs: number;
  rxIntervalMs: number;
  multiplier: number;
  detectionTimeMs: number;
  /** Name of the last non-zero diagnostic: why it last went down ('No Diagnostic' before any). */
  lastDiagnostic: string;
  remoteDiagnostic: string;
  flaps: number;
  localDiscriminator: number;
  remoteDiscriminator: number;
  packetsIn: number;
  packetsOut: number;
}

export class BfdSession {
  private s: BfdState;
  private readonly timers = new Map<TimerName, Timer>();
  private stopped = false;
  flaps = 0;
  packetsIn = 0;
  packetsOut = 0;
  /** Down transitions by diagnostic name. */
  readonly diagnostics = new Map<string, number>();
  private lastDiag: DiagnosticCode = 0;
  /** When the Detection Time runs out, and when its timer is due (≤ the deadline). */
  private detectionDeadline: number | undefined;
  private detectionFiresAt = 0;

  constructor(private readonly o: SessionOptions) {
    this.s = initialState(o.config, o.localDiscr);
  }

  get state(): BfdState {
    return this.s;
  }

  start(): void {
    this.dispatch({ type: 'Start' });
  }

  receive(packet: ControlPacket): void {
    this.packetsIn++;
    this.dispatch({ type: 'ReceivedControl', packet });
  }

  update(config: BfdConfig): void {
    this.dispatch({ type: 'ConfigChange', config });
  }

  adminDown(): void {
    this.dispatch({ type: 'AdminDown' });
  }

  adminUp(): void {
    this.dispatch({ type: 'AdminUp' });
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  snapshot(): BfdSnapshot {
    const s = this.s;
    const rxUs = s.remoteDetectMult ? Math.max(s.rxBasisUs, s.remoteDesiredMinTxUs) : s.rxBasisUs;
    return {
      state: s.sessionState,
      remoteState: s.remoteState,
      txIntervalMs: currentTxIntervalUs(s) / 1000,
      rxIntervalMs: rxUs / 1000,
      multiplier: s.config.detectMult,
      detectionTimeMs: currentDetectionTimeUs(s) / 1000,
      lastDiagnostic: diagnosticName(this.lastDiag),
      remoteDiagnostic: diagnosticName(s.remoteDiag),
      flaps: this.flaps,
      localDiscriminator: s.localDiscr,
      remoteDiscriminator: s.remoteDiscr,
      packetsIn: this.packetsIn,
      packetsOut: this.packetsOut,
    };
  }

  private dispatch(e: BfdEvent): void {
    if (this.stopped) return;
    const r = step(this.s, e, this.o.clock.now(), this.o.random);
    this.s = r.state;
    for (const a of r.actions) this.run(a);
  }

  private run(a: BfdAction): void {
    if (this.stopped) return;
    switch (a.type) {
      case 'send':
        this.packetsOut++;
        this.o.send(encodeControl(a.packet), a.packet);
        break;
      case 'startTimer':
        if (a.timer === 'DetectionTimer') this.armDetection(a.ms);
        else this.arm(a.timer, a.ms);
        break;
      case 'stopTimer':
        this.timers.get(a.timer)?.cancel();
        this.timers.delete(a.timer);
        if (a.timer === 'DetectionTimer') this.detectionDeadline = undefined;
        break;
      case 'stateChange':
        // The last reason the session went down stays visible after it recovers.
        if (a.diagnostic !== 0) this.lastDiag = a.diagnostic;
        if (a.from === 'Up') {
          this.flaps++;
          const name = diagnosticName(a.diagnostic);
          this.diagnostics.set(name, (this.diagnostics.get(name) ?? 0) + 1);
        }
        this.o.onChange(a, this);
        break;
    }
  }

  private arm(timer: TimerName, ms: number): void {
    this.timers.get(timer)?.cancel();
    this.timers.set(
      timer,
      this.o.clock.setTimer(ms, () => this.expire(timer)),
    );
  }

  /**
   * Every received packet restarts the Detection Time. Rather than cancel and re-create a
   * timer per packet, the deadline moves and a timer already due no later stays: when it
   * fires early it re-arms for the rest.
   */
  private armDetection(ms: number): void {
    const deadline = this.o.clock.now() + ms;
    this.detectionDeadline = deadline;
    if (this.timers.has('DetectionTimer') && this.detectionFiresAt <= deadline) return;
    this.detectionFiresAt = deadline;
    this.arm('DetectionTimer', ms);
  }

  private expire(timer: TimerName): void {
    if (this.stopped) return;
    this.timers.delete(timer);
    if (timer === 'DetectionTimer') {
      const deadline = this.detectionDeadline;
      if (deadline === undefined) return;
      const left = deadline - this.o.clock.now();
      if (left > 0) {
        this.detectionFiresAt = deadline;
        this.arm('DetectionTimer', left);
        return;
      }
      // A packet still queued in the kernel restarts the timer instead of a false Down.
      this.o.beforeTimerEvent();
      if (this.stopped || this.timers.has('DetectionTimer')) return;
      this.detectionDeadline = undefined;
      this.dispatch({ type: 'DetectionTimer_Expires' });
    } else {
      this.o.beforeTimerEvent();
      if (this.stopped) return;
      this.dispatch({ type: 'TransmitTimer_Expires' });
    }
  }
}
