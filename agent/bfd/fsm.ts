/**
 * PURE. One BFD session (RFC 5880) as a reducer: step(state, event, now, random) ->
 * {state, actions}. The §6.2 state machine with the §6.8.6 reception procedure (after the
 * session-independent checks of checks.ts and the shell's session lookup), the §6.8.3 slow
 * start and poll sequences, the §6.8.4 Detection Time and §6.8.7 transmission rules.
 * Timers are actions; the shell runs them and feeds their expiry back as events.
 *
 * Not implemented, on purpose: Demand mode (never requested, the peer's D bit is ignored),
 * the Echo function (Required Min Echo RX is advertised as 0), authentication.
 * AdminDown is only ever sent after an explicit AdminDown event: FRR 8.4 tears BGP down on
 * a remote AdminDown (research note l2-and-bfd.md trap 11).
 */
import { Diagnostic, type DiagnosticCode } from './diagnostic.ts';
import { BFD_VERSION, CONTROL_LENGTH, type ControlPacket, type SessionState } from './packet.ts';
import {
  advertisedDesiredMinTxUs,
  detectionTimeUs,
  jitteredIntervalMs,
  transmitIntervalUs,
  usToMs,
} from './timers.ts';

export type TimerName = 'TransmitTimer' | 'DetectionTimer';

export interface BfdConfig {
  /** bfd.DesiredMinTxInterval once Up, µs. */
  desiredMinTxUs: number;
  /** bfd.RequiredMinRxInterval, µs (> 0: edgelb always wants the peer's packets). */
  requiredMinRxUs: number;
  /** bfd.DetectMult. */
  detectMult: number;
  /** Passive role (§6.1): send nothing until the peer has spoken. */
  passive: boolean;
}

export interface BfdState {
  sessionState: SessionState;
  localDiag: DiagnosticCode;
  localDiscr: number;
  remoteDiscr: number;
  remoteState: SessionState;
  /** bfd.RemoteMinRxInterval (initially 1 µs, §6.8.1). */
  remoteMinRxUs: number;
  remoteDesiredMinTxUs: number;
  remoteDetectMult: number;
  /** The peer's last diagnostic (what it says went wrong). */
  remoteDiag: DiagnosticCode;
  config: BfdConfig;
  /** Advertised bfd.DesiredMinTxInterval and bfd.RequiredMinRxInterval. */
  desiredMinTxUs: number;
  requiredMinRxUs: number;
  /** Values in force for our TX interval and Detection Time; lag the advertised ones during a poll (§6.8.3). */
  txBasisUs: number;
  rxBasisUs: number;
  /** A Poll Sequence is in progress: every periodic packet carries P until an F arrives. */
  polling: boolean;
  /** Time of the last accepted packet (undefined: none since the last detection expiry). */
  lastRxAt?: number;
}

export type BfdEvent =
  | { type: 'Start' }
  | { type: 'ReceivedControl'; packet: ControlPacket }
  | { type: 'TransmitTimer_Expires' }
  | { type: 'DetectionTimer_Expires' }
  | { type: 'ConfigChange'; config: BfdConfig }
  /** Explicit administrative request: the only way edgelb ever sends AdminDown. */
  | { type: 'AdminDown' }
  | { type: 'AdminUp' };

/** Why the session state changed (the BGP coupling tells a failure from an administrative event). */
export type ChangeCause =
  | 'peer-state'
  | 'detection-time-expired'
  | 'neighbor-signaled-down'
  | 'neighbor-admin-down'
  | 'local-admin';

export type BfdAction =
  | { type: 'send'; packet: ControlPacket }
  | { type: 'startTimer'; timer: TimerName; ms: number }
  | { type: 'stopTimer'; timer: TimerName }
  | {
      type: 'stateChange';
      from: SessionState;
      to: SessionState;
      diagnostic: DiagnosticCode;
      cause: ChangeCause;
    };

export interface StepResult {
  state: BfdState;
  actions: BfdAction[];
}

/** §6.8.1 initial values: Down, RemoteMinRxInterval 1, slow start. */
export function initialState(config: BfdConfig, localDiscr: number): BfdState {
  const desired = advertisedDesiredMinTxUs(config.desiredMinTxUs, false);
  return {
    sessionState: 'Down',
    localDiag: Diagnostic.NoDiagnostic,
    localDiscr,
    remoteDiscr: 0,
    remoteState: 'Down',
    remoteMinRxUs: 1,
    remoteDesiredMinTxUs: 0,
    remoteDetectMult: 0,
    remoteDiag: Diagnostic.NoDiagnostic,
    config,
    desiredMinTxUs: desired,
    requiredMinRxUs: config.requiredMinRxUs,
    txBasisUs: desired,
    rxBasisUs: config.requiredMinRxUs,
    polling: false,
  };
}

/** Negotiated transmit interval in force, µs. */
export function currentTxIntervalUs(s: BfdState): number {
  return transmitIntervalUs(s.txBasisUs, s.remoteMinRxUs);
}

/** Detection Time in force, µs (0 before the peer's first packet). */
export function currentDetectionTimeUs(s: BfdState): number {
  return detectionTimeUs(s.remoteDetectMult, s.rxBasisUs, s.remoteDesiredMinTxUs);
}

/** §6.8.7: no periodic packets when the peer asks for none, or when passive and the peer is unknown. */
export function mayTransmit(s: BfdState): boolean {
  if (s.remoteMinRxUs === 0) return false;
  if (s.config.passive && s.remoteDiscr === 0) return false;
  return true;
}

/** The packet this state sends (P for a running poll, F for a poll reply; never both). */
export function controlPacket(s: BfdState, bits: { poll?: boolean; final?: boolean } = {}): ControlPacket {
  return {
    version: BFD_VERSION,
    diagnostic: s.localDiag,
    state: s.sessionState,
    poll: bits.poll === true && bits.final !== true,
    final: bits.final === true,
    controlPlaneIndependent: false,
    authentication: false,
    demand: false,
    multipoint: false,
    detectMult: s.config.detectMult,
    length: CONTROL_LENGTH,
    myDiscriminator: s.localDiscr,
    yourDiscriminator: s.remoteDiscr,
    desiredMinTxUs: s.desiredMinTxUs,
    requiredMinRxUs: s.requiredMinRxUs,
    requiredMinEchoRxUs: 0,
  };
}

export function step(s0: BfdState, e: BfdEvent, now: number, random: () => number): StepResult {
  let s: BfdState = { ...s0 };
  const actions: BfdAction[] = [];
  const armTx = () =>
    actions.push({
      type: 'startTimer',
      timer: 'TransmitTimer',
      ms: jitteredIntervalMs(currentTxIntervalUs(s), s.config.detectMult, random),
    });
  /** A periodic (or state-change) packet, then the next TX timer. */
  const transmit = () => {
    if (mayTransmit(s)) actions.push({ type: 'send', packet: controlPacket(s, { poll: s.polling }) });
    armTx();
  };
  const change = (to: SessionState, diagnostic: DiagnosticCode, cause: ChangeCause) => {
    const from = s.sessionState;
    if (from === to) return;
    s = { ...s, sessionState: to, localDiag: diagnostic };
    // §6.8.3: slow start whenever not Up, the configured rate once Up.
    s = setAdvertised(
      s,
      advertisedDesiredMinTxUs(s.config.desiredMinTxUs, to === 'Up'),
      s.config.requiredMinRxUs,
    );
    actions.push({ type: 'stateChange', from, to, diagnostic, cause });
  };

  switch (e.type) {
    case 'Start':
      armTx();
      break;

    case 'TransmitTimer_Expires':
      // AdminDown keeps sending (§6.8.16) so the peer learns it: it was asked for explicitly.
      transmit();
      break;

    case 'DetectionTimer_Expires': {
      // §6.8.1: RemoteDiscr goes back to 0 once nothing has been heard for a Detection Time.
      s = { ...s, remoteDiscr: 0, remoteState: 'Down', lastRxAt: undefined };
      // §6.8.4: only Init and Up go Down (Down stays Down: no spurious Up->Down, trap 20).
      if (s.sessionState === 'Init' || s.sessionState === 'Up') {
        change('Down', Diagnostic.ControlDetectionTimeExpired, 'detection-time-expired');
        transmit();
      }
      break;
    }

    case 'ReceivedControl': {
      const p = e.packet;
      s = {
        ...s,
        remoteDiscr: p.myDiscriminator,
        remoteState: p.state,
        remoteMinRxUs: p.requiredMinRxUs,
        remoteDesiredMinTxUs: p.desiredMinTxUs,
        remoteDetectMult: p.detectMult,
        remoteDiag: p.diagnostic,
        lastRxAt: now,
      };
      // §6.8.6: a Final ends our poll; the new values are now in force.
      if (p.final && s.polling)
        s = { ...s, polling: false, txBasisUs: s.desiredMinTxUs, rxBasisUs: s.requiredMinRxUs };
      // The packet counts for the Detection Time even when the state machine ignores it (§6.8.4).
      actions.push({ type: 'startTimer', timer: 'DetectionTimer', ms: usToMs(currentDetectionTimeUs(s)) });
      if (s.sessionState === 'AdminDown') break;
      const before = s.sessionState;
      if (p.state === 'AdminDown') {
        if (s.sessionState !== 'Down')
          change('Down', Diagnostic.NeighborSignaledSessionDown, 'neighbor-admin-down');
      } else if (s.sessionState === 'Down') {
        if (p.state === 'Down') change('Init', Diagnostic.NoDiagnostic, 'peer-state');
        else if (p.state === 'Init') change('Up', Diagnostic.NoDiagnostic, 'peer-state');
      } else if (s.sessionState === 'Init') {
        if (p.state === 'Init' || p.state === 'Up') change('Up', Diagnostic.NoDiagnostic, 'peer-state');
      } else if (p.state === 'Down') {
        change('Down', Diagnostic.NeighborSignaledSessionDown, 'neighbor-signaled-down');
      }
      // §6.8.6: a Poll is answered at once with a Final, outside the TX timer (not a periodic
      // packet, so even a peer that asks for none gets it).
      if (p.poll) actions.push({ type: 'send', packet: controlPacket(s, { final: true }) });
      // A state change is announced at once (a Final, if sent, already carries the new state).
      if (s.sessionState !== before) {
        if (p.poll) armTx();
        else transmit();
      }
      break;
    }

    case 'ConfigChange': {
      s = { ...s, config: e.config };
      const up = s.sessionState === 'Up';
      s = setAdvertised(s, advertisedDesiredMinTxUs(e.config.desiredMinTxUs, up), e.config.requiredMinRxUs);
      break;
    }

    case 'AdminDown':
      if (s.sessionState === 'AdminDown') break;
      change('AdminDown', Diagnostic.AdministrativelyDown, 'local-admin');
      actions.push({ type: 'stopTimer', timer: 'DetectionTimer' });
      transmit();
      break;

    case 'AdminUp':
      if (s.sessionState !== 'AdminDown') break;
      change('Down', Diagnostic.NoDiagnostic, 'local-admin');
      break;
  }
  return { state: s, actions };
}

/**
 * New advertised DesiredMinTx / RequiredMinRx. Any change starts a Poll Sequence (§6.5,
 * §6.8.3). While Up, a higher DesiredMinTx is used only after the poll completes, and a
 * lower RequiredMinRx keeps the old Detection Time until then; otherwise the values apply
 * at once.
 */
function setAdvertised(s: BfdState, desiredMinTxUs: number, requiredMinRxUs: number): BfdState {
  if (desiredMinTxUs === s.desiredMinTxUs && requiredMinRxUs === s.requiredMinRxUs) return s;
  const up = s.sessionState === 'Up';
  const holdTx = up && desiredMinTxUs > s.txBasisUs;
  const holdRx = up && requiredMinRxUs < s.rxBasisUs;
  return {
    ...s,
    desiredMinTxUs,
    requiredMinRxUs,
    txBasisUs: holdTx ? s.txBasisUs : desiredMinTxUs,
    rxBasisUs: holdRx ? s.rxBasisUs : requiredMinRxUs,
    polling: true,
  };
}
