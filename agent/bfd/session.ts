/**
 * SHELL. One BFD session: the pure state machine (fsm.ts) plus its two timers, slots of the
 * manager's timer wheel (wheel-timer.ts). Executes the machine's actions: packets go to
 * `send`, state changes to `onChange`. The wheel drains the sockets before every tick, so a
 * packet already queued in the kernel is read before a Detection Time expiry is acted on;
 * a packet's arrival time (the kernel's timestamp when the transport has one) restarts the
 * Detection Time, not the time it was read. Every time here is monotonic (monotonicNow):
 * a step of the wall clock neither expires a Detection Time nor holds back a transmission.
 */
import { type Clock, monotonicNow } from '../lib/clock.ts';
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
} from './fsm.ts';
import { type ControlPacket, encodeControl, type SessionState } from './packet.ts';
import { minJitteredIntervalMs } from './timers.ts';
import { transmitSlot } from './wheel.ts';
import type { WheelTask, WheelTimer } from './wheel-timer.ts';

export type StateChange = Extract<BfdAction, { type: 'stateChange' }>;

export interface SessionOptions {
  config: BfdConfig;
  localDiscr: number;
  clock: Clock;
  random: () => number;
  /** The manager's timer wheel (it drains pending packets before each tick). */
  wheel: WheelTimer;
  send(bytes: Uint8Array, packet: ControlPacket): void;
  onChange(change: StateChange, session: BfdSession): void;
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

const TRANSMIT_EXPIRES: BfdEvent = { type: 'TransmitTimer_Expires' };
const DETECTION_EXPIRES: BfdEvent = { type: 'DetectionTimer_Expires' };

export class BfdSession {
  private s: BfdState;
  private readonly transmitTask: WheelTask = { run: () => this.dispatch(TRANSMIT_EXPIRES) };
  private readonly detectionTask: WheelTask = { run: () => this.dispatch(DETECTION_EXPIRES) };
  private stopped = false;
  flaps = 0;
  packetsIn = 0;
  packetsOut = 0;
  /** Down transitions by diagnostic name. */
  readonly diagnostics = new Map<string, number>();
  private lastDiag: DiagnosticCode = 0;

  constructor(private readonly o: SessionOptions) {
    this.s = initialState(o.config, o.localDiscr);
  }

  get state(): BfdState {
    return this.s;
  }

  start(): void {
    this.dispatch({ type: 'Start' });
  }

  /** A packet for this session; `at`: when it arrived, monotonic time (default now). */
  receive(packet: ControlPacket, at?: number): void {
    this.packetsIn++;
    this.dispatch({ type: 'ReceivedControl', packet }, at);
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
    this.o.wheel.clear(this.transmitTask);
    this.o.wheel.clear(this.detectionTask);
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

  private dispatch(e: BfdEvent, at?: number): void {
    if (this.stopped) return;
    const now = monotonicNow(this.o.clock);
    // A packet never counts as arriving later than it is read, nor before the previous one
    // (packets are read in order: one that looks older, its stamp skewed by a step of the
    // wall clock, must not move the Detection Time earlier than the previous one set it).
    const eventAt =
      at === undefined ? now : Math.max(Math.min(at, now), this.s.lastRxAt ?? Number.NEGATIVE_INFINITY);
    const r = step(this.s, e, eventAt, this.o.random);
    this.s = r.state;
    for (const a of r.actions) this.run(a, now, eventAt);
  }

  private run(a: BfdAction, now: number, eventAt: number): void {
    if (this.stopped) return;
    switch (a.type) {
      case 'send':
        this.packetsOut++;
        this.o.send(encodeControl(a.packet), a.packet);
        break;
      case 'startTimer':
        if (a.timer === 'DetectionTimer') {
          // Every received packet moves the deadline: one map entry, no timer re-created.
          this.o.wheel.set(this.detectionTask, eventAt + a.ms);
        } else {
          // Sent now: may go out with another session's packets from 75 % of the interval.
          const slot = transmitSlot(now, a.ms, minJitteredIntervalMs(currentTxIntervalUs(this.s)));
          this.o.wheel.set(this.transmitTask, slot.dueAt, slot.earliestAt);
        }
        break;
      case 'stopTimer':
        this.o.wheel.clear(a.timer === 'DetectionTimer' ? this.detectionTask : this.transmitTask);
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
}
