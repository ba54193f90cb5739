/** FSM tables: (state, event) -> (state, actions), timers driven by a FakeClock, no sleeps. */
import { describe, expect, test } from 'bun:test';
import {
  collisionWinner,
  type FsmAction,
  type FsmEvent,
  type FsmState,
  idleHoldDelay,
  initialState,
  keepaliveInterval,
  LARGE_HOLD_MS,
  negotiateHoldTime,
  type StateName,
  sendHoldTime,
  step,
  type TimerName,
} from '../../agent/bgp/fsm/index.ts';
import { FakeClock } from '../../agent/lib/clock.ts';

const CONFIG = {
  holdTimeSeconds: 90,
  keepAliveTimeSeconds: 30,
  connectRetryTimeSeconds: 120,
  passive: false,
};
const half = () => 0.5;

function at(name: StateName, extra: Partial<FsmState> = {}): FsmState {
  return { ...initialState(CONFIG), name, ...extra };
}

/** Short form of actions for table comparison. */
function short(actions: FsmAction[]): string[] {
  return actions.map((a) => {
    switch (a.type) {
      case 'startTimer':
        return `start ${a.timer} ${a.ms}`;
      case 'stopTimer':
        return `stop ${a.timer}`;
      case 'sendNotification':
        return `notify ${a.code}/${a.subcode}`;
      case 'established':
        return `established ${a.holdTime} ${a.keepaliveMs}`;
      case 'down':
        return `down ${a.reason}`;
      default:
        return a.type;
    }
  });
}

const STOP_ALL = ['stop ConnectRetryTimer', 'stop HoldTimer', 'stop KeepaliveTimer', 'stop IdleHoldTimer'];
const OPEN_CONFIRM = at('OpenConfirm', { negotiatedHoldTime: 90, keepaliveMs: 30000 });
const ESTABLISHED = at('Established', { negotiatedHoldTime: 90, keepaliveMs: 30000, establishedAt: 1 });

const TABLE: [string, FsmState, FsmEvent, StateName, string[]][] = [
  [
    'start connects',
    at('Idle'),
    { type: 'ManualStart' },
    'Connect',
    ['start ConnectRetryTimer 105000', 'connect'],
  ],
  ['passive start waits', at('Idle'), { type: 'ManualStart_with_PassiveTcpEstablishment' }, 'Active', []],
  [
    'connect succeeds -> OPEN, large hold',
    at('Connect'),
    { type: 'Tcp_CR_Acked' },
    'OpenSent',
    ['stop ConnectRetryTimer', 'sendOpen', `start HoldTimer ${LARGE_HOLD_MS}`],
  ],
  [
    'incoming connection in Active',
    at('Active'),
    { type: 'TcpConnectionConfirmed' },
    'OpenSent',
    ['stop ConnectRetryTimer', 'sendOpen', `start HoldTimer ${LARGE_HOLD_MS}`],
  ],
  [
    'connect retry expires: retry',
    at('Connect'),
    { type: 'ConnectRetryTimer_Expires' },
    'Connect',
    ['close', 'start ConnectRetryTimer 105000', 'connect'],
  ],
  [
    'connect fails -> Idle with backoff',
    at('Connect'),
    { type: 'TcpConnectionFails' },
    'Idle',
    ['close', ...STOP_ALL, 'start IdleHoldTimer 750'],
  ],
  [
    'OPEN: hold min(90, 30) = 30, keepalive 10',
    at('OpenSent'),
    { type: 'BGPOpen', holdTime: 30 },
    'OpenConfirm',
    ['sendKeepalive', 'stop HoldTimer', 'start HoldTimer 30000', 'start KeepaliveTimer 10000'],
  ],
  [
    'OPEN with hold 0: no timers',
    at('OpenSent'),
    { type: 'BGPOpen', holdTime: 0 },
    'OpenConfirm',
    ['sendKeepalive', 'stop HoldTimer'],
  ],
  [
    'OPEN with hold 2 refused 2/6',
    at('OpenSent'),
    { type: 'BGPOpen', holdTime: 2 },
    'Idle',
    ['notify 2/6', 'close', ...STOP_ALL, 'start IdleHoldTimer 750'],
  ],
  [
    'KEEPALIVE in OpenConfirm -> Established',
    OPEN_CONFIRM,
    { type: 'KeepAliveMsg' },
    'Established',
    ['start HoldTimer 90000', 'established 90 30000'],
  ],
  [
    'KEEPALIVE in OpenSent is an FSM error 5/1',
    at('OpenSent'),
    { type: 'KeepAliveMsg' },
    'Idle',
    ['notify 5/1', 'close', ...STOP_ALL, 'start IdleHoldTimer 750'],
  ],
  [
    'UPDATE in OpenConfirm is an FSM error 5/2',
    OPEN_CONFIRM,
    { type: 'UpdateMsg' },
    'Idle',
    ['notify 5/2', 'close', ...STOP_ALL, 'start IdleHoldTimer 750'],
  ],
  [
    'OPEN in Established is an FSM error 5/3',
    ESTABLISHED,
    { type: 'BGPOpen', holdTime: 90 },
    'Idle',
    ['notify 5/3', 'close', ...STOP_ALL, 'down unexpected OPEN', 'start IdleHoldTimer 750'],
  ],
  [
    'UPDATE restarts the hold timer',
    ESTABLISHED,
    { type: 'UpdateMsg' },
    'Established',
    ['start HoldTimer 90000'],
  ],
  [
    'keepalive timer sends and re-arms',
    ESTABLISHED,
    { type: 'KeepaliveTimer_Expires' },
    'Established',
    ['sendKeepalive', 'start KeepaliveTimer 30000'],
  ],
  [
    'hold timer expires -> 4/0',
    ESTABLISHED,
    { type: 'HoldTimer_Expires' },
    'Idle',
    ['notify 4/0', 'close', ...STOP_ALL, 'down hold timer expired', 'start IdleHoldTimer 750'],
  ],
  [
    'NOTIFICATION received: no NOTIFICATION back',
    ESTABLISHED,
    { type: 'NotifMsg' },
    'Idle',
    ['close', ...STOP_ALL, 'down NOTIFICATION received', 'start IdleHoldTimer 750'],
  ],
  [
    'UPDATE error -> its NOTIFICATION',
    ESTABLISHED,
    { type: 'UpdateMsgErr', code: 3, subcode: 10 },
    'Idle',
    ['notify 3/10', 'close', ...STOP_ALL, 'down UpdateMsgErr', 'start IdleHoldTimer 750'],
  ],
  [
    'collision dump -> Cease 6/7',
    OPEN_CONFIRM,
    { type: 'OpenCollisionDump' },
    'Idle',
    ['notify 6/7', 'close', ...STOP_ALL, 'start IdleHoldTimer 750'],
  ],
  [
    'manual stop with Cease',
    ESTABLISHED,
    { type: 'ManualStop', notify: { code: 6, subcode: 2 } },
    'Idle',
    ['notify 6/2', 'close', ...STOP_ALL, 'down stopped'],
  ],
  [
    'manual stop without NOTIFICATION (keep)',
    ESTABLISHED,
    { type: 'ManualStop' },
    'Idle',
    ['close', ...STOP_ALL, 'down stopped'],
  ],
  [
    'passive peer never connects on ConnectRetry',
    { ...at('Active'), config: { ...CONFIG, passive: true } },
    { type: 'ConnectRetryTimer_Expires' },
    'Active',
    [],
  ],
  [
    'stopped FSM ignores IdleHold',
    at('Idle', { stopped: true }),
    { type: 'IdleHoldTimer_Expires' },
    'Idle',
    [],
  ],
  ['Idle ignores messages', at('Idle'), { type: 'KeepAliveMsg' }, 'Idle', []],
];

describe('FSM table (RFC 4271 §8.2.2)', () => {
  for (const [name, state, event, next, actions] of TABLE) {
    test(`${state.name} + ${event.type}: ${name}`, () => {
      const r = step(state, event, 1000, half);
      expect(r.state.name).toBe(next);
      expect(short(r.actions)).toEqual(actions);
    });
  }
});

describe('timers and negotiation', () => {
  test('hold time: minimum of both, 1 and 2 refused, 0 allowed', () => {
    expect(negotiateHoldTime(90, 180)).toBe(90);
    expect(negotiateHoldTime(90, 3)).toBe(3);
    expect(negotiateHoldTime(90, 0)).toBe(0);
    expect(negotiateHoldTime(90, 1)).toBeUndefined();
    expect(negotiateHoldTime(90, 2)).toBeUndefined();
  });

  test('keepalive: configured, capped at a third of the hold time, none for hold 0', () => {
    expect(keepaliveInterval(90, 30)).toBe(30000);
    expect(keepaliveInterval(9, 30)).toBe(3000);
    expect(keepaliveInterval(3, 30)).toBe(1000);
    expect(keepaliveInterval(180, 0)).toBe(60000);
    expect(keepaliveInterval(0, 30)).toBe(0);
  });

  test('restart delay: exponential with jitter, capped at ConnectRetryTime', () => {
    const cfg = { ...CONFIG, connectRetryTimeSeconds: 10 };
    const hi = () => 0; // no jitter taken off
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => idleHoldDelay(cfg, n, hi))).toEqual([
      1000, 2000, 4000, 8000, 10000, 10000, 10000,
    ]);
    const lo = () => 1; // full jitter: half the delay
    expect(idleHoldDelay(cfg, 3, lo)).toBe(2000);
  });

  test('collision: the connection initiated by the higher BGP identifier wins', () => {
    expect(collisionWinner('10.0.0.2', '10.0.0.1')).toBe('outgoing');
    expect(collisionWinner('10.0.0.1', '10.0.0.2')).toBe('incoming');
    expect(collisionWinner('192.168.0.1', '10.0.0.2')).toBe('outgoing'); // unsigned compare
  });
});

/** Drives the FSM like the shell does: timers on a FakeClock, events fed back. */
class Harness {
  state: FsmState;
  log: string[] = [];
  private timers = new Map<TimerName, { cancel(): void }>();
  constructor(
    readonly clock: FakeClock,
    config = CONFIG,
    private random = half,
  ) {
    this.state = initialState(config);
  }
  send(e: FsmEvent): void {
    const r = step(this.state, e, this.clock.now(), this.random);
    this.state = r.state;
    for (const a of r.actions) {
      if (a.type === 'startTimer') {
        this.timers.get(a.timer)?.cancel();
        this.timers.set(
          a.timer,
          this.clock.setTimer(a.ms, () => {
            this.timers.delete(a.timer);
            this.send({ type: `${a.timer}_Expires` } as FsmEvent);
          }),
        );
      } else if (a.type === 'stopTimer') {
        this.timers.get(a.timer)?.cancel();
        this.timers.delete(a.timer);
      } else this.log.push(`${this.clock.now() - START} ${short([a])[0]}`);
    }
  }
}
const START = 1_700_000_000_000;

describe('FSM over time (FakeClock)', () => {
  test('hold timer expiry, then reconnects back off exponentially up to the cap', () => {
    const clock = new FakeClock(START);
    const h = new Harness(clock, { ...CONFIG, holdTimeSeconds: 9, connectRetryTimeSeconds: 8 }, () => 0);
    h.send({ type: 'ManualStart' });
    h.send({ type: 'Tcp_CR_Acked' });
    h.send({ type: 'BGPOpen', holdTime: 9 });
    h.send({ type: 'KeepAliveMsg' });
    expect(h.state.name).toBe('Established');
    clock.advance(8999);
    expect(h.state.name).toBe('Established');
    clock.advance(1);
    expect(h.state.name).toBe('Idle');
    expect(h.log).toContain('9000 notify 4/0');
    expect(h.log.filter((l) => l.endsWith('sendKeepalive')).map((l) => l.split(' ')[0])).toEqual([
      '0',
      '3000',
      '6000',
    ]);
    // From now on every connect attempt fails at once: delays 1, 2, 4, 8 (cap), 8 s.
    const connects: number[] = [];
    for (let i = 0; i < 5; i++) {
      for (let guard = 0; guard < 1000 && h.state.name !== 'Connect'; guard++) clock.advance(100);
      connects.push(clock.now() - START);
      h.send({ type: 'TcpConnectionFails' });
    }
    const gaps = connects.map((t, i) => t - (i === 0 ? 9000 : connects[i - 1]!));
    expect(gaps).toEqual([1000, 2000, 4000, 8000, 8000]);
  });

  test('keepalives every third of the hold time; an UPDATE keeps the session up', () => {
    const clock = new FakeClock(START);
    const h = new Harness(clock, { ...CONFIG, holdTimeSeconds: 9, keepAliveTimeSeconds: 30 });
    h.send({ type: 'ManualStart' });
    h.send({ type: 'Tcp_CR_Acked' });
    h.send({ type: 'BGPOpen', holdTime: 90 });
    h.send({ type: 'KeepAliveMsg' });
    for (let t = 0; t < 5; t++) {
      clock.advance(5000);
      h.send({ type: 'UpdateMsg' });
    }
    expect(h.state.name).toBe('Established');
    const ka = h.log.filter((l) => l.endsWith('sendKeepalive')).map((l) => Number(l.split(' ')[0]));
    expect(ka).toEqual([0, 3000, 6000, 9000, 12000, 15000, 18000, 21000, 24000]);
  });

  test('a hanging connect (dropped SYN, e.g. TCP-MD5 mismatch) is retried after ConnectRetryTime', () => {
    const clock = new FakeClock(START);
    const h = new Harness(clock, { ...CONFIG, connectRetryTimeSeconds: 4 }, () => 0);
    h.send({ type: 'ManualStart' });
    clock.advance(4000 * 3 + 1);
    expect(h.log.filter((l) => l.endsWith(' connect'))).toEqual([
      '0 connect',
      '3000 connect',
      '6000 connect',
      '9000 connect',
      '12000 connect',
    ]);
  });
});

describe('send hold timer (RFC 9687)', () => {
  test('a peer that stopped reading is torn down with 8/0', () => {
    const r = step(ESTABLISHED, { type: 'SendHoldTimer_Expires' }, 1000, half);
    expect(r.state.name).toBe('Idle');
    expect(short(r.actions)).toEqual([
      'notify 8/0',
      'close',
      ...STOP_ALL,
      'down send hold timer expired',
      'start IdleHoldTimer 750',
    ]);
  });
  test('SendHoldTime is max(8 minutes, 2 x hold time)', () => {
    expect(sendHoldTime(90)).toBe(480_000);
    expect(sendHoldTime(300)).toBe(600_000);
  });
});
