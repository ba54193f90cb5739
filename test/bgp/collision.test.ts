/** fsm/collision.ts: RFC 4271 §6.8 decisions as tables. */
import { describe, expect, test } from 'bun:test';
import {
  type HeldOpenView,
  type IncomingView,
  onHeldOpen,
  onIncoming,
} from '../../agent/bgp/fsm/collision.ts';

const base: IncomingView = {
  state: 'Idle',
  stopped: false,
  hasConnection: false,
  holding: false,
  gracefulRestart: false,
};

describe('onIncoming', () => {
  const cases: [string, Partial<IncomingView>, ReturnType<typeof onIncoming>][] = [
    ['Idle, not stopped: take over', {}, 'take-over'],
    ['Idle after ManualStop: reject', { stopped: true }, 'reject'],
    ['Active: take over', { state: 'Active' }, 'take-over'],
    ['Connect without a dial under way: take over', { state: 'Connect' }, 'take-over'],
    ['Connect while dialling: hold for the OPEN', { state: 'Connect', hasConnection: true }, 'hold'],
    ['OpenSent: hold', { state: 'OpenSent', hasConnection: true }, 'hold'],
    ['OpenConfirm: hold', { state: 'OpenConfirm', hasConnection: true }, 'hold'],
    [
      'OpenSent with one already held: reject',
      { state: 'OpenSent', hasConnection: true, holding: true },
      'reject',
    ],
    [
      'Established with GR: the restarted peer replaces it',
      { state: 'Established', gracefulRestart: true },
      'replace',
    ],
    ['Established without GR: reject', { state: 'Established' }, 'reject'],
  ];
  for (const [name, over, want] of cases)
    test(name, () => expect(onIncoming({ ...base, ...over })).toBe(want));
});

describe('onHeldOpen', () => {
  const held: HeldOpenView = {
    state: 'OpenSent',
    hasConnection: true,
    ourOutgoing: true,
    localId: '10.0.0.2',
    remoteId: '10.0.0.1',
  };
  const cases: [string, Partial<HeldOpenView>, ReturnType<typeof onHeldOpen>][] = [
    ['our identifier is higher: our connection wins', {}, 'reject-new'],
    ['the peer identifier is higher: dump ours', { remoteId: '10.0.0.3' }, 'dump-ours'],
    ['compared as unsigned integers', { localId: '9.0.0.0', remoteId: '200.0.0.0' }, 'dump-ours'],
    [
      'peer higher while we only dial: drop the dial silently',
      { state: 'Connect', remoteId: '10.0.0.3' },
      'drop-dialing',
    ],
    ['ours came from the peer too: the newer one wins', { ourOutgoing: false }, 'dump-ours'],
    [
      'our connection went away meanwhile: take over',
      { state: 'Active', hasConnection: false, ourOutgoing: undefined },
      'take-over',
    ],
  ];
  for (const [name, over, want] of cases)
    test(name, () => expect(onHeldOpen({ ...held, ...over })).toBe(want));
});
