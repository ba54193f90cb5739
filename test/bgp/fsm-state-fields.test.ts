/**
 * fsm/step.ts: the state fields a step leaves behind (counter, stopped flag), the RFC constants,
 * and transitions the main table does not cover. fsm/collision.ts: the remaining edge rows.
 */
import { describe, expect, test } from 'bun:test';
import { collisionWinner, onHeldOpen } from '../../agent/bgp/fsm/collision.ts';
import { initialState, keepaliveInterval, LARGE_HOLD_MS, step } from '../../agent/bgp/fsm/step.ts';
import type { FsmConfig, FsmState } from '../../agent/bgp/fsm/types.ts';

const CONFIG: FsmConfig = {
  holdTimeSeconds: 90,
  keepAliveTimeSeconds: 30,
  connectRetryTimeSeconds: 120,
  passive: false,
};
const half = () => 0.5;
const at = (name: FsmState['name'], extra: Partial<FsmState> = {}): FsmState => ({
  ...initialState(CONFIG),
  name,
  ...extra,
});

describe('constants and initial state', () => {
  test('OpenSent waits 4 minutes for the OPEN (RFC 4271 §8.2.2 "large")', () => {
    expect(LARGE_HOLD_MS).toBe(240_000);
  });
  test('a new FSM is Idle, not stopped, with no failures counted', () => {
    expect(initialState(CONFIG)).toEqual({
      name: 'Idle',
      config: CONFIG,
      connectRetryCounter: 0,
      stopped: false,
    });
  });
  test('a configured keepalive of 1 s is taken as is', () => {
    expect(keepaliveInterval(90, 1)).toBe(1000);
    expect(keepaliveInterval(90, 2)).toBe(2000);
  });
});

describe('state fields after a step', () => {
  test('ManualStop: stopped, the failure counter reset', () => {
    const r = step(
      at('Established', { connectRetryCounter: 3, negotiatedHoldTime: 90 }),
      { type: 'ManualStop' },
      0,
      half,
    );
    expect(r.state.stopped).toBe(true);
    expect(r.state.connectRetryCounter).toBe(0);
    expect(r.state.negotiatedHoldTime).toBeUndefined();
  });
  test('ManualStart after a ManualStop clears the stopped flag (active and passive)', () => {
    const stopped = at('Idle', { stopped: true });
    const active = step(stopped, { type: 'ManualStart' }, 0, half).state;
    expect([active.name, active.stopped]).toEqual(['Connect', false]);
    const passiveCfg = { ...stopped, config: { ...CONFIG, passive: true } };
    const passive = step(passiveCfg, { type: 'ManualStart' }, 0, half).state;
    expect([passive.name, passive.stopped]).toEqual(['Active', false]);
  });
  test('a connect retry in Connect counts one more attempt', () => {
    const r = step(at('Connect', { connectRetryCounter: 2 }), { type: 'ConnectRetryTimer_Expires' }, 0, half);
    expect(r.state.connectRetryCounter).toBe(3);
  });
  test('a connect retry in Active (not passive) dials', () => {
    const r = step(at('Active'), { type: 'ConnectRetryTimer_Expires' }, 0, half);
    expect(r.state.name).toBe('Connect');
    expect(r.actions.map((a) => a.type)).toEqual(['startTimer', 'connect']);
  });
  test('a stale connect retry in OpenSent changes nothing', () => {
    const s = at('OpenSent');
    const r = step(s, { type: 'ConnectRetryTimer_Expires' }, 0, half);
    expect(r.state).toBe(s);
    expect(r.actions).toEqual([]);
  });
  test('the keepalive timer in OpenConfirm sends a KEEPALIVE and re-arms', () => {
    const r = step(
      at('OpenConfirm', { negotiatedHoldTime: 90, keepaliveMs: 30_000 }),
      { type: 'KeepaliveTimer_Expires' },
      0,
      half,
    );
    expect(r.actions).toEqual([
      { type: 'sendKeepalive' },
      { type: 'startTimer', timer: 'KeepaliveTimer', ms: 30_000 },
    ]);
  });
  test('an error event passes its data into the NOTIFICATION; none without data', () => {
    const data = new Uint8Array([1, 2, 3]);
    const withData = step(at('OpenSent'), { type: 'BGPOpenMsgErr', code: 2, subcode: 2, data }, 0, half);
    expect(withData.actions[0]).toEqual({ type: 'sendNotification', code: 2, subcode: 2, data });
    const without = step(at('OpenSent'), { type: 'BGPOpenMsgErr', code: 2, subcode: 2 }, 0, half);
    expect(without.actions[0]).toEqual({ type: 'sendNotification', code: 2, subcode: 2 });
    expect('data' in (without.actions[0] as object)).toBe(false);
  });
});

describe('collision edges', () => {
  test('identifiers that differ only in the lowest bit', () => {
    expect(collisionWinner('10.0.0.3', '10.0.0.2')).toBe('outgoing');
    expect(collisionWinner('10.0.0.2', '10.0.0.3')).toBe('incoming');
  });
  test('a held OPEN in Connect without a dial under way: take over', () => {
    expect(
      onHeldOpen({
        state: 'Connect',
        hasConnection: false,
        ourOutgoing: undefined,
        localId: '10.0.0.2',
        remoteId: '10.0.0.1',
      }),
    ).toBe('take-over');
  });
});
