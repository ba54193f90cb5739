/** SHELL. The state one BGP session holds and its read-only view (/status, the speaker); session.ts drives it. */
import { monotonicNow, wallTimeOf } from '../lib/clock.ts';
import { warnOncePerKey } from '../lib/log.ts';
import { AdjRibOut } from './adj-rib-out.ts';
import { initialState } from './fsm/index.ts';
import type { FsmState, TimerName } from './fsm/types.ts';
import { FsmTimers } from './fsm-timers.ts';
import { type LastError, LastErrorTracker } from './last-error.ts';
import { LivenessHold } from './liveness-hold.ts';
import { sessionCapabilities } from './local-capabilities.ts';
import { fsmConfig, type SessionConfig } from './peer.ts';
import type { SessionDeps } from './session-types.ts';
import type { BgpConnection } from './transport.ts';
import { type Capability, type DecodeContext, Framer, MAX_MESSAGE, type Negotiated } from './wire/index.ts';

export abstract class SessionState {
  protected fsm: FsmState;
  protected conn: BgpConnection | undefined;
  protected framer = new Framer(MAX_MESSAGE);
  protected ctx: DecodeContext = { as4: false, maxLength: MAX_MESSAGE };
  negotiated: Negotiated | undefined;
  remoteId: string | undefined;
  remoteASN: number | undefined;
  remoteHostname: string | undefined;
  protected readonly timers: FsmTimers;
  /** What our OPEN advertises. */
  protected readonly caps: Capability[];
  protected readonly rib = new AdjRibOut((key, msg) => this.warnOnce(key, msg));
  messagesIn = 0;
  messagesOut = 0;
  lastNotificationSent: string | undefined;
  lastNotificationReceived: string | undefined;
  protected readonly lastErr = new LastErrorTracker();
  protected readonly warnOnce: (key: string, msg: string) => void;
  protected closing: Promise<void>[] = [];
  protected readonly hold: LivenessHold;

  constructor(
    readonly config: SessionConfig,
    protected readonly deps: SessionDeps,
  ) {
    this.timers = new FsmTimers(deps.clock, (t) => this.onTimer(t));
    this.warnOnce = warnOncePerKey(deps.log, { peer: config.id });
    this.hold = LivenessHold.forSession(config, deps);
    this.caps = sessionCapabilities(config, deps);
    this.fsm = initialState(fsmConfig(config));
  }

  get state(): FsmState['name'] {
    return this.fsm.name;
  }
  /** When the session became Established, wall clock (shown); undefined when it is not. */
  get establishedAt(): number | undefined {
    return this.fsm.establishedAt;
  }
  /** When it became Established on the clock's monotonic time: uptime is measured from it. */
  protected establishedMonotonic: number | undefined;
  /** Milliseconds Established (monotonic: a step of the wall clock does not change it); 0 when not. */
  get establishedForMs(): number {
    if (this.fsm.name !== 'Established' || this.establishedMonotonic === undefined) return 0;
    return Math.max(0, monotonicNow(this.deps.clock) - this.establishedMonotonic);
  }
  /** Why the session is not Established (last connect error, NOTIFICATION or loss) and since when. */
  get lastError(): LastError | undefined {
    return this.fsm.name === 'Established' ? undefined : this.lastErr.value;
  }
  get holdTime(): number | undefined {
    return this.fsm.negotiatedHoldTime;
  }
  get localAddress(): string | undefined {
    return this.conn?.localAddress;
  }
  get queuedBytes(): number {
    return this.conn?.queuedBytes ?? 0;
  }
  /** Desired prefixes of a negotiated family not announced for want of a next hop (Established only). */
  get unannounceable(): readonly string[] {
    return this.fsm.name === 'Established' ? this.rib.unannounceable : [];
  }
  /**
   * When the socket started refusing data (RFC 9687), wall clock for people: now minus how long
   * it has been blocked on monotonic time. undefined while it takes data.
   */
  get sendBlockedSince(): number | undefined {
    const since = this.conn?.blockedSince;
    return since === undefined ? undefined : wallTimeOf(this.deps.clock, since);
  }
  /** Prefixes whose change waits for the socket (at most the desired and sent tables together). */
  get pendingChanges(): number {
    return this.rib.pendingCount;
  }
  /** ROUTE-REFRESH requests absorbed by a re-send already queued. */
  get refreshesCoalesced(): number {
    return this.rib.refreshesCoalesced;
  }
  /** Adj-RIB-Out: prefixes the peer was told about (value: their family). */
  get adjRibOut(): ReadonlyMap<string, string> {
    return this.rib.sent;
  }
  /** True while a connect is held until BFD is Up (liveness-hold.ts). */
  get waitingForLiveness(): boolean {
    return this.hold.waiting;
  }

  /** Set while BGP runs without BFD because the peer never answered it (for /status). */
  get livenessProblem(): string | undefined {
    return this.hold.problem;
  }

  protected abstract onTimer(t: TimerName): void;
}
