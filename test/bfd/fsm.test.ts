/** The pure BFD state machine (RFC 5880 §6.2, §6.8): tables of (state, event) -> (state, actions), no clock. */
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { Diagnostic } from '../../agent/bfd/diagnostic.ts';
import {
  type BfdAction,
  type BfdConfig,
  type BfdEvent,
  type BfdState,
  currentDetectionTimeUs,
  currentTxIntervalUs,
  initialState,
  step,
} from '../../agent/bfd/fsm.ts';
import { eventFor } from '../../agent/bfd/manager.ts';
import type { ControlPacket, SessionState } from '../../agent/bfd/packet.ts';
import { detectionTimeUs, jitteredIntervalMs, transmitIntervalUs } from '../../agent/bfd/timers.ts';
import { seeded } from '../support/property.ts';
import { controlPacket } from './control-packet.ts';

const CFG: BfdConfig = { desiredMinTxUs: 300_000, requiredMinRxUs: 300_000, detectMult: 3, passive: false };
const LOCAL = 0x1111;
const REMOTE = 0x2222;
const NOW = 1_000;
const mid = () => 0.5;

function rx(state: SessionState, o: Partial<ControlPacket> = {}): BfdEvent {
  return {
    type: 'ReceivedControl',
    packet: controlPacket({
      state,
      myDiscriminator: REMOTE,
      yourDiscriminator: state === 'Down' || state === 'AdminDown' ? 0 : LOCAL,
      ...o,
    }),
  };
}

function inState(name: SessionState, cfg = CFG): BfdState {
  return { ...initialState(cfg, LOCAL), sessionState: name };
}

const sends = (a: BfdAction[]) => a.filter((x) => x.type === 'send').map((x) => x.packet);
const changes = (a: BfdAction[]) => a.filter((x) => x.type === 'stateChange');
const timer = (a: BfdAction[], name: string) =>
  a.find((x) => x.type === 'startTimer' && x.timer === name) as { ms: number } | undefined;

describe('§6.2 state machine: received state table', () => {
  // [local, received, next, diagnostic, cause]
  const TABLE: [SessionState, SessionState, SessionState, number, string | undefined][] = [
    ['Down', 'AdminDown', 'Down', 0, undefined],
    ['Down', 'Down', 'Init', 0, 'peer-state'],
    ['Down', 'Init', 'Up', 0, 'peer-state'],
    ['Down', 'Up', 'Down', 0, undefined],
    ['Init', 'AdminDown', 'Down', 3, 'neighbor-admin-down'],
    ['Init', 'Down', 'Init', 0, undefined],
    ['Init', 'Init', 'Up', 0, 'peer-state'],
    ['Init', 'Up', 'Up', 0, 'peer-state'],
    ['Up', 'AdminDown', 'Down', 3, 'neighbor-admin-down'],
    ['Up', 'Down', 'Down', 3, 'neighbor-signaled-down'],
    ['Up', 'Init', 'Up', 0, undefined],
    ['Up', 'Up', 'Up', 0, undefined],
    ['AdminDown', 'Down', 'AdminDown', 0, undefined],
    ['AdminDown', 'Init', 'AdminDown', 0, undefined],
    ['AdminDown', 'Up', 'AdminDown', 0, undefined],
    ['AdminDown', 'AdminDown', 'AdminDown', 0, undefined],
  ];
  for (const [local, recv, next, diag, cause] of TABLE) {
    test(`${local} + received ${recv} -> ${next}`, () => {
      const r = step(inState(local), rx(recv), NOW, mid);
      expect(r.state.sessionState).toBe(next);
      const c = changes(r.actions);
      if (cause === undefined) expect(c).toEqual([]);
      else {
        expect(c).toEqual([
          { type: 'stateChange', from: local, to: next, diagnostic: diag, cause: cause as never },
        ]);
        expect(r.state.localDiag).toBe(diag);
        // A state change is announced at once, never as AdminDown.
        expect(sends(r.actions).map((p) => p.state)).toEqual([next]);
      }
      // Every accepted packet (re)starts the detection timer: 3 × max(300, 300) ms.
      expect(timer(r.actions, 'DetectionTimer')?.ms).toBe(900);
      expect(r.state.remoteDiscr).toBe(REMOTE);
    });
  }
});

describe('§6.8.4 detection time', () => {
  test('expiry in Up: Down with "Control Detection Time Expired" and RemoteDiscr reset', () => {
    const up = { ...step(inState('Init'), rx('Up'), NOW, mid).state };
    const r = step(up, { type: 'DetectionTimer_Expires' }, NOW + 900, mid);
    expect(r.state.sessionState).toBe('Down');
    expect(r.state.localDiag).toBe(Diagnostic.ControlDetectionTimeExpired);
    expect(r.state.remoteDiscr).toBe(0);
    expect(changes(r.actions)[0]).toMatchObject({ from: 'Up', to: 'Down', cause: 'detection-time-expired' });
    const p = sends(r.actions)[0]!;
    expect(p).toMatchObject({
      state: 'Down',
      diagnostic: 1,
      yourDiscriminator: 0,
      desiredMinTxUs: 1_000_000,
    });
  });

  test('expiry in Init goes Down; in Down only RemoteDiscr is reset (no spurious change)', () => {
    const init = step(inState('Down'), rx('Down'), NOW, mid).state;
    expect(step(init, { type: 'DetectionTimer_Expires' }, NOW, mid).state.sessionState).toBe('Down');
    const down = { ...inState('Down'), remoteDiscr: REMOTE };
    const r = step(down, { type: 'DetectionTimer_Expires' }, NOW, mid);
    expect(r.state.remoteDiscr).toBe(0);
    expect(changes(r.actions)).toEqual([]);
  });

  test('detection time = remote mult × max(local RequiredMinRx, remote DesiredMinTx)', () => {
    expect(detectionTimeUs(3, 300_000, 300_000)).toBe(900_000);
    expect(detectionTimeUs(5, 300_000, 200_000)).toBe(1_500_000);
    expect(detectionTimeUs(2, 100_000, 500_000)).toBe(1_000_000);
    const r = step(inState('Up'), rx('Up', { detectMult: 5, desiredMinTxUs: 500_000 }), NOW, mid);
    expect(currentDetectionTimeUs(r.state)).toBe(2_500_000);
    expect(timer(r.actions, 'DetectionTimer')?.ms).toBe(2500);
  });
});

describe('§6.8.2/§6.8.3/§6.8.7 timers', () => {
  test('TX interval = max(local DesiredMinTx, remote RequiredMinRx)', () => {
    expect(transmitIntervalUs(300_000, 500_000)).toBe(500_000);
    expect(transmitIntervalUs(300_000, 100_000)).toBe(300_000);
    const up = step(inState('Init'), rx('Up'), NOW, mid).state;
    expect(currentTxIntervalUs(up)).toBe(300_000);
    expect(currentTxIntervalUs(step(up, rx('Up', { requiredMinRxUs: 800_000 }), NOW, mid).state)).toBe(
      800_000,
    );
    // While not Up our own 1 s slow start dominates.
    expect(
      currentTxIntervalUs(
        step(inState('Down'), rx('AdminDown', { requiredMinRxUs: 800_000 }), NOW, mid).state,
      ),
    ).toBe(1_000_000);
  });

  test('slow start: 1 s DesiredMinTx while not Up; Up starts a poll to the configured 300 ms', () => {
    const s0 = initialState(CFG, LOCAL);
    expect(s0.desiredMinTxUs).toBe(1_000_000);
    const start = step(s0, { type: 'Start' }, NOW, () => 0);
    expect(timer(start.actions, 'TransmitTimer')?.ms).toBe(750);
    const init = step(s0, rx('Down'), NOW, mid).state;
    expect(init.desiredMinTxUs).toBe(1_000_000);
    const up = step(init, rx('Up'), NOW, mid);
    expect(up.state.sessionState).toBe('Up');
    expect(up.state.desiredMinTxUs).toBe(300_000);
    expect(up.state.polling).toBe(true);
    expect(sends(up.actions)[0]).toMatchObject({
      state: 'Up',
      poll: true,
      final: false,
      desiredMinTxUs: 300_000,
    });
    // The periodic packets carry P until the Final arrives.
    const tick = step(up.state, { type: 'TransmitTimer_Expires' }, NOW, mid);
    expect(sends(tick.actions)[0]?.poll).toBe(true);
    const fin = step(up.state, rx('Up', { final: true }), NOW, mid);
    expect(fin.state.polling).toBe(false);
    expect(sends(step(fin.state, { type: 'TransmitTimer_Expires' }, NOW, mid).actions)[0]?.poll).toBe(false);
  });

  test('jitter: 75–100 % of the interval, 75–90 % with detect multiplier 1', () => {
    expect(jitteredIntervalMs(300_000, 3, () => 0)).toBe(225);
    expect(jitteredIntervalMs(300_000, 3, () => 0.999999)).toBe(299);
    expect(jitteredIntervalMs(300_000, 1, () => 0.999999)).toBeLessThanOrEqual(270);
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.9999999, noNaN: true }),
        fc.integer({ min: 1, max: 255 }),
        (r, m) => {
          const ms = jitteredIntervalMs(1_000_000, m, () => r);
          expect(ms).toBeGreaterThanOrEqual(750);
          expect(ms).toBeLessThanOrEqual(m === 1 ? 900 : 1000);
        },
      ),
      seeded(500),
    );
  });

  test('no periodic TX when the peer asks for none (RequiredMinRx 0), but its Poll still gets a Final', () => {
    const s = step(inState('Up'), rx('Up', { requiredMinRxUs: 0 }), NOW, mid).state;
    const r = step(s, { type: 'TransmitTimer_Expires' }, NOW, mid);
    expect(sends(r.actions)).toEqual([]);
    expect(timer(r.actions, 'TransmitTimer')).toBeDefined();
    const polled = step(s, rx('Up', { requiredMinRxUs: 0, poll: true }), NOW, mid);
    expect(sends(polled.actions).map((p) => p.final)).toEqual([true]);
  });

  test('passive: silent until the peer has spoken, then transmits', () => {
    const p = initialState({ ...CFG, passive: true }, LOCAL);
    expect(sends(step(p, { type: 'TransmitTimer_Expires' }, NOW, mid).actions)).toEqual([]);
    const heard = step(p, rx('Down'), NOW, mid);
    expect(sends(heard.actions).map((x) => x.state)).toEqual(['Init']);
    expect(sends(step(heard.state, { type: 'TransmitTimer_Expires' }, NOW, mid).actions).length).toBe(1);
  });
});

describe('poll sequences', () => {
  const upSteady = (): BfdState => {
    const s = step(
      step(inState('Init'), rx('Up'), NOW, mid).state,
      rx('Up', { final: true }),
      NOW,
      mid,
    ).state;
    expect(s.polling).toBe(false);
    return s;
  };

  test('a received Poll is answered at once with Final (and never P and F together)', () => {
    const s = { ...upSteady(), polling: true };
    const r = step(s, rx('Up', { poll: true }), NOW, mid);
    const p = sends(r.actions);
    expect(p.length).toBe(1);
    expect(p[0]).toMatchObject({ final: true, poll: false, state: 'Up' });
  });

  test('raising DesiredMinTx while Up keeps the old TX interval until the Final', () => {
    const s = upSteady();
    const r = step(s, { type: 'ConfigChange', config: { ...CFG, desiredMinTxUs: 1_000_000 } }, NOW, mid);
    expect(r.state.polling).toBe(true);
    expect(r.state.desiredMinTxUs).toBe(1_000_000);
    expect(currentTxIntervalUs(r.state)).toBe(300_000);
    const done = step(r.state, rx('Up', { final: true }), NOW, mid).state;
    expect(currentTxIntervalUs(done)).toBe(1_000_000);
  });

  test('lowering RequiredMinRx while Up keeps the old detection time until the Final', () => {
    const s = upSteady();
    const r = step(s, { type: 'ConfigChange', config: { ...CFG, requiredMinRxUs: 100_000 } }, NOW, mid);
    const during = step(r.state, rx('Up', { desiredMinTxUs: 100_000 }), NOW, mid).state;
    expect(currentDetectionTimeUs(during)).toBe(900_000);
    const done = step(during, rx('Up', { desiredMinTxUs: 100_000, final: true }), NOW, mid).state;
    expect(currentDetectionTimeUs(done)).toBe(300_000);
  });

  test('lowering DesiredMinTx applies at once (and still polls)', () => {
    const r = step(
      upSteady(),
      { type: 'ConfigChange', config: { ...CFG, desiredMinTxUs: 100_000 } },
      NOW,
      mid,
    );
    expect(r.state.polling).toBe(true);
    expect(currentTxIntervalUs(r.state)).toBe(300_000); // the peer's RequiredMinRx still bounds it
    expect(r.state.txBasisUs).toBe(100_000);
  });
});

describe('AdminDown', () => {
  test('sent only after an explicit AdminDown, with diagnostic 7; AdminUp returns to Down', () => {
    const r = step(inState('Up'), { type: 'AdminDown' }, NOW, mid);
    expect(r.state.sessionState).toBe('AdminDown');
    expect(sends(r.actions)[0]).toMatchObject({
      state: 'AdminDown',
      diagnostic: Diagnostic.AdministrativelyDown,
    });
    expect(changes(r.actions)[0]?.cause).toBe('local-admin');
    const back = step(r.state, { type: 'AdminUp' }, NOW, mid);
    expect(back.state.sessionState).toBe('Down');
  });

  test('no sequence of received packets and timer events ever makes us send AdminDown', () => {
    const states: SessionState[] = ['AdminDown', 'Down', 'Init', 'Up'];
    const ev = fc.oneof(
      fc
        .record({ s: fc.constantFrom(...states), p: fc.boolean(), f: fc.boolean() })
        .map((x) => rx(x.s, { poll: x.p, final: x.f })),
      fc.constant<BfdEvent>({ type: 'TransmitTimer_Expires' }),
      fc.constant<BfdEvent>({ type: 'DetectionTimer_Expires' }),
      fc.constant<BfdEvent>({ type: 'ConfigChange', config: { ...CFG, desiredMinTxUs: 500_000 } }),
    );
    fc.assert(
      fc.property(fc.array(ev, { maxLength: 40 }), (events) => {
        let s = initialState(CFG, LOCAL);
        for (const e of events) {
          const r = step(s, e, NOW, mid);
          for (const p of sends(r.actions)) {
            expect(p.state).not.toBe('AdminDown');
            expect(p.poll && p.final).toBe(false);
            expect(p.requiredMinEchoRxUs).toBe(0);
            expect(p.desiredMinTxUs).toBeGreaterThanOrEqual(p.state === 'Up' ? 300_000 : 1_000_000);
          }
          s = r.state;
        }
      }),
      seeded(400),
    );
  });
});

describe('what the BGP coupling is told (eventFor)', () => {
  const ch = (from: SessionState, to: SessionState, diagnostic: number, cause: never) =>
    eventFor('192.0.2.1', { type: 'stateChange', from, to, diagnostic, cause });
  test('Up -> Down by detection: down, local', () => {
    expect(ch('Up', 'Down', 1, 'detection-time-expired' as never)).toEqual({
      type: 'down',
      peer: '192.0.2.1',
      diagnostic: 1,
      diagnosticName: 'Control Detection Time Expired',
      remote: false,
    });
  });
  test('Up -> Down signalled by the peer: down, remote', () => {
    expect(ch('Up', 'Down', 3, 'neighbor-signaled-down' as never)).toMatchObject({
      type: 'down',
      remote: true,
    });
  });
  test("the peer's AdminDown is adminDown, never down (RFC 5882 §3.2)", () => {
    expect(ch('Up', 'Down', 3, 'neighbor-admin-down' as never)).toEqual({
      type: 'adminDown',
      peer: '192.0.2.1',
      remote: true,
    });
  });
  test('Init -> Down and Down -> Init are not reported as failures (trap 20)', () => {
    expect(ch('Init', 'Down', 1, 'detection-time-expired' as never)).toBeUndefined();
    expect(ch('Down', 'Init', 0, 'peer-state' as never)).toBeUndefined();
    expect(ch('Init', 'Up', 0, 'peer-state' as never)).toEqual({ type: 'up', peer: '192.0.2.1' });
  });
  test('a local AdminDown is adminDown, local; the AdminUp after it (AdminDown -> Down) reports nothing', () => {
    expect(ch('Up', 'AdminDown', 7, 'local-admin' as never)).toEqual({
      type: 'adminDown',
      peer: '192.0.2.1',
      remote: false,
    });
    expect(ch('Down', 'AdminDown', 7, 'local-admin' as never)).toMatchObject({ type: 'adminDown' });
    expect(ch('AdminDown', 'Down', 0, 'local-admin' as never)).toBeUndefined();
  });
});
