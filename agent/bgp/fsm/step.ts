/**
 * PURE. The BGP finite state machine (RFC 4271 §8.2.2), reduced to what an announcer
 * needs, as a reducer: step(state, event, now, random) -> {state, actions}. Timers are
 * actions; the shell runs them and feeds their expiry back as events.
 *
 * Departures from the RFC text, on purpose:
 * - After any failure the FSM goes to Idle and restarts itself through the IdleHoldTimer
 *   (RFC 4271 §8.1.1 DampPeerOscillations) with exponential backoff and jitter, from
 *   idleHoldBaseMs up to ConnectRetryTime, instead of waiting a full ConnectRetryTime.
 * - The ConnectRetryTimer (jittered 0.75-1.0x) bounds a TCP connect that hangs (a dropped
 *   SYN, e.g. a TCP-MD5 mismatch).
 */
import { backoffDelay } from '../../lib/backoff.ts';
import { PEER_DEFAULTS } from '../peer.ts';
import { CeaseSubcode, ErrorCode, FsmSubcode, OpenSubcode } from '../wire/errors.ts';
import type { FsmAction, FsmConfig, FsmEvent, FsmState, StepResult, TimerName } from './types.ts';

/** OpenSent hold time before the peer's OPEN arrives (RFC 4271 §8.2.2: "large", 4 minutes). */
export const LARGE_HOLD_MS = 240_000;

export function initialState(config: FsmConfig): FsmState {
  return { name: 'Idle', config, connectRetryCounter: 0, stopped: false };
}

/** Hold time from both OPENs: the smaller one; undefined if the result is 1 or 2 (2/6). */
export function negotiateHoldTime(local: number, remote: number): number | undefined {
  const h = Math.min(local, remote);
  return h === 1 || h === 2 ? undefined : h;
}

/** RFC 9687 SendHoldTime: max(8 minutes, twice the hold time). */
export function sendHoldTime(holdTime: number): number {
  return Math.max(480_000, 2 * holdTime * 1000);
}

/** Keepalive interval: configured, capped at a third of the hold time, at least 1 s; 0 = none. */
export function keepaliveInterval(holdTime: number, configuredSeconds: number): number {
  if (holdTime === 0) return 0;
  const third = Math.floor(holdTime / 3);
  const k = configuredSeconds > 0 ? Math.min(configuredSeconds, third) : third;
  return Math.max(1, k) * 1000;
}

/** Automatic-restart delay for the n-th consecutive failure (n >= 1). */
export function idleHoldDelay(config: FsmConfig, failures: number, random: () => number): number {
  const base = config.idleHoldBaseMs ?? PEER_DEFAULTS.idleHoldBaseMs;
  const cap = Math.max(base, config.connectRetryTimeSeconds * 1000);
  return backoffDelay(Math.max(0, failures - 1), { baseMs: base, capMs: cap, jitter: 0.5 }, random);
}

export function connectRetryDelay(config: FsmConfig, random: () => number): number {
  return Math.round(config.connectRetryTimeSeconds * 1000 * (0.75 + 0.25 * random()));
}

const ALL_TIMERS: TimerName[] = ['ConnectRetryTimer', 'HoldTimer', 'KeepaliveTimer', 'IdleHoldTimer'];

export function step(s: FsmState, e: FsmEvent, now: number, random: () => number): StepResult {
  const actions: FsmAction[] = [];
  const start = (timer: TimerName, ms: number) => actions.push({ type: 'startTimer', timer, ms });
  const stop = (timer: TimerName) => actions.push({ type: 'stopTimer', timer });
  const connected = s.name === 'OpenSent' || s.name === 'OpenConfirm' || s.name === 'Established';

  /** Tear down after an error: optional NOTIFICATION, close, Idle, automatic restart with backoff. */
  const fail = (
    reason: string,
    notify?: { code: number; subcode: number; data?: Uint8Array },
  ): StepResult => {
    if (notify && connected) actions.push({ type: 'sendNotification', ...notify });
    actions.push({ type: 'close' });
    for (const t of ALL_TIMERS) stop(t);
    if (s.name === 'Established') actions.push({ type: 'down', reason });
    const failures = s.connectRetryCounter + 1;
    if (!s.stopped) start('IdleHoldTimer', idleHoldDelay(s.config, failures, random));
    return { state: { ...idle(s), connectRetryCounter: failures }, actions };
  };

  const begin = (): StepResult => {
    if (s.config.passive) return { state: { ...s, name: 'Active', stopped: false }, actions };
    start('ConnectRetryTimer', connectRetryDelay(s.config, random));
    actions.push({ type: 'connect' });
    return { state: { ...s, name: 'Connect', stopped: false }, actions };
  };

  const openSent = (): StepResult => {
    stop('ConnectRetryTimer');
    actions.push({ type: 'sendOpen' });
    start('HoldTimer', LARGE_HOLD_MS);
    return { state: { ...s, name: 'OpenSent' }, actions };
  };

  const restartHold = () => {
    if (s.negotiatedHoldTime) start('HoldTimer', s.negotiatedHoldTime * 1000);
  };

  switch (e.type) {
    case 'ManualStop': {
      if (connected && e.notify) actions.push({ type: 'sendNotification', ...e.notify });
      if (s.name !== 'Idle') actions.push({ type: 'close' });
      for (const t of ALL_TIMERS) stop(t);
      if (s.name === 'Established') actions.push({ type: 'down', reason: 'stopped' });
      return { state: { ...idle(s), stopped: true, connectRetryCounter: 0 }, actions };
    }
    case 'ManualStart':
    case 'ManualStart_with_PassiveTcpEstablishment':
      if (s.name !== 'Idle') return { state: s, actions };
      if (e.type === 'ManualStart_with_PassiveTcpEstablishment')
        return {
          state: { ...s, name: 'Active', stopped: false, config: { ...s.config, passive: true } },
          actions,
        };
      return begin();
    case 'IdleHoldTimer_Expires':
      if (s.name !== 'Idle' || s.stopped) return { state: s, actions };
      return begin();
    case 'ConnectRetryTimer_Expires':
      if (s.name === 'Connect') {
        actions.push({ type: 'close' });
        start('ConnectRetryTimer', connectRetryDelay(s.config, random));
        actions.push({ type: 'connect' });
        return { state: { ...s, connectRetryCounter: s.connectRetryCounter + 1 }, actions };
      }
      if (s.name === 'Active' && !s.config.passive) return begin();
      return { state: s, actions };
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      if (s.name === 'Connect' || s.name === 'Active') return openSent();
      return { state: s, actions };
    case 'TcpConnectionFails':
      if (s.name === 'Idle') return { state: s, actions };
      return fail('connection failed');
    case 'BGPOpen': {
      if (s.name !== 'OpenSent')
        return fail('unexpected OPEN', {
          code: ErrorCode.FiniteStateMachine,
          subcode:
            s.name === 'OpenConfirm'
              ? FsmSubcode.UnexpectedInOpenConfirm
              : FsmSubcode.UnexpectedInEstablished,
        });
      const hold = negotiateHoldTime(s.config.holdTimeSeconds, e.holdTime);
      if (hold === undefined)
        return fail('unacceptable hold time', {
          code: ErrorCode.OpenMessage,
          subcode: OpenSubcode.UnacceptableHoldTime,
        });
      const keepaliveMs = keepaliveInterval(hold, s.config.keepAliveTimeSeconds);
      actions.push({ type: 'sendKeepalive' });
      stop('HoldTimer');
      if (hold > 0) {
        start('HoldTimer', hold * 1000);
        start('KeepaliveTimer', keepaliveMs);
      }
      return { state: { ...s, name: 'OpenConfirm', negotiatedHoldTime: hold, keepaliveMs }, actions };
    }
    case 'KeepAliveMsg':
      if (s.name === 'OpenSent')
        return fail('unexpected KEEPALIVE', {
          code: ErrorCode.FiniteStateMachine,
          subcode: FsmSubcode.UnexpectedInOpenSent,
        });
      if (s.name === 'OpenConfirm') {
        restartHold();
        const hold = s.negotiatedHoldTime ?? 0;
        actions.push({ type: 'established', holdTime: hold, keepaliveMs: s.keepaliveMs ?? 0 });
        return { state: { ...s, name: 'Established', establishedAt: now, connectRetryCounter: 0 }, actions };
      }
      if (s.name === 'Established') restartHold();
      return { state: s, actions };
    case 'UpdateMsg':
    case 'RouteRefreshMsg':
      if (s.name === 'Established') {
        restartHold();
        return { state: s, actions };
      }
      if (s.name === 'OpenSent')
        return fail('unexpected message', {
          code: ErrorCode.FiniteStateMachine,
          subcode: FsmSubcode.UnexpectedInOpenSent,
        });
      if (s.name === 'OpenConfirm')
        return fail('unexpected message', {
          code: ErrorCode.FiniteStateMachine,
          subcode: FsmSubcode.UnexpectedInOpenConfirm,
        });
      return { state: s, actions };
    case 'KeepaliveTimer_Expires':
      if (s.name === 'OpenConfirm' || s.name === 'Established') {
        actions.push({ type: 'sendKeepalive' });
        if (s.keepaliveMs) start('KeepaliveTimer', s.keepaliveMs);
      }
      return { state: s, actions };
    case 'HoldTimer_Expires':
      if (!connected) return { state: s, actions };
      return fail('hold timer expired', { code: ErrorCode.HoldTimerExpired, subcode: 0 });
    case 'SendHoldTimer_Expires':
      if (!connected) return { state: s, actions };
      return fail('send hold timer expired', { code: ErrorCode.SendHoldTimerExpired, subcode: 0 });
    case 'BGPHeaderErr':
    case 'BGPOpenMsgErr':
    case 'UpdateMsgErr':
      if (s.name === 'Idle') return { state: s, actions };
      return fail(e.type, { code: e.code, subcode: e.subcode, ...(e.data ? { data: e.data } : {}) });
    case 'OpenCollisionDump':
      if (s.name === 'Idle') return { state: s, actions };
      return fail('connection collision', {
        code: ErrorCode.Cease,
        subcode: CeaseSubcode.ConnectionCollisionResolution,
      });
    case 'LivenessDown':
      // RFC 5882 §4.3 / RFC 9384: the forwarding path is gone; tear down at once with
      // Cease "BFD Down", then the usual reconnect with backoff (the session shell gates it).
      if (!connected) return { state: s, actions };
      return fail(e.reason, { code: ErrorCode.Cease, subcode: CeaseSubcode.BFDDown });
    case 'NotifMsgVerErr':
    case 'NotifMsg':
      if (s.name === 'Idle') return { state: s, actions };
      return fail('NOTIFICATION received');
  }
}

function idle(s: FsmState): FsmState {
  const { negotiatedHoldTime: _h, keepaliveMs: _k, establishedAt: _e, ...rest } = s;
  return { ...rest, name: 'Idle' };
}
