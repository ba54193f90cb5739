/**
 * The shared plan queries and renderer details the golden scenarios do not reach, on small
 * hand-built plans: families with prefixes only, the Graceful Restart time with none asked
 * for, and BIRD's warning about multihop BFD.
 */
import { describe, expect, test } from 'bun:test';
import { renderBird } from '../../agent/routercfg/bird.ts';
import { families, gracefulRestartSeconds, sessionNames, symbol } from '../../agent/routercfg/common.ts';
import type { RouterBfd, RouterPlan, Session } from '../../agent/routercfg/types.ts';

const BFD: RouterBfd = {
  profile: 'fast',
  transmitIntervalMs: 300,
  receiveIntervalMs: 300,
  detectMultiplier: 3,
  minimumTtl: 254,
  nodePassive: false,
};

function session(node: string, extra: Partial<Session> = {}): Session {
  return {
    node,
    family: 4,
    nodeAddress: `192.168.2.${10 + node.length}`,
    routerAddress: '192.168.2.1',
    nodeASN: 65001,
    port: 179,
    origin: 'policy p / virtual router 0 (AS 65001)',
    ...extra,
  };
}

function plan(
  sessions: Session[],
  prefixes: RouterPlan['prefixes'] = { 4: ['10.0.0.0/30'], 6: [] },
): RouterPlan {
  return {
    routerASN: 65000,
    routerAddresses: { 4: '192.168.2.1' },
    sessions,
    prefixes,
    pools: ['p'],
    policies: ['p'],
  };
}

describe('families', () => {
  test('only the families with prefixes', () => {
    expect(families(plan([], { 4: ['10.0.0.0/30'], 6: [] }))).toEqual([4]);
    expect(families(plan([], { 4: [], 6: ['fd00::/126'] }))).toEqual([6]);
    expect(families(plan([], { 4: [], 6: [] }))).toEqual([]);
  });
});

describe('gracefulRestartSeconds', () => {
  test('0 with no session, and with sessions that ask for none', () => {
    expect(gracefulRestartSeconds(plan([]))).toBe(0);
    expect(gracefulRestartSeconds(plan([session('a'), session('bb')]))).toBe(0);
  });
  test('the longest time asked for', () => {
    expect(
      gracefulRestartSeconds(
        plan([
          session('a', { gracefulRestartSeconds: 90 }),
          session('bb'),
          session('c', { gracefulRestartSeconds: 120 }),
        ]),
      ),
    ).toBe(120);
  });
});

describe('BIRD: multihop BFD has no minimum TTL', () => {
  const warnings = (sessions: Session[]) => {
    const r = renderBird(plan(sessions));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    return r.warnings;
  };
  test('a BFD session over multihop is named, once per node', () => {
    expect(
      warnings([
        session('a', { bfd: BFD, multihopTTL: 2 }),
        session('a', { bfd: BFD, multihopTTL: 2, family: 6, nodeAddress: 'fd00::a' }),
        session('bb', { bfd: BFD }),
        session('c', { multihopTTL: 3 }),
      ]),
    ).toEqual(['BIRD has no minimum TTL for multihop BFD: the sessions of a accept any TTL']);
  });
  test('a single one is named too', () => {
    expect(warnings([session('a', { bfd: BFD, multihopTTL: 2 })])).toEqual([
      'BIRD has no minimum TTL for multihop BFD: the sessions of a accept any TTL',
    ]);
  });
  test('BFD only on directly connected sessions, or multihop only without BFD: no warning', () => {
    expect(warnings([session('bb', { bfd: BFD }), session('c', { multihopTTL: 3 })])).toEqual([]);
  });
});

test('session names: two nodes with one symbol get -2, -3; a node with both families gets _v4/_v6', () => {
  const sessions = [
    session('worker-1'),
    session('worker_1'),
    session('worker.1'),
    session('dual'),
    session('dual', { family: 6, nodeAddress: 'fd00::d' }),
  ];
  const names = sessionNames(plan(sessions), '_', symbol);
  expect(sessions.map((s) => names.get(s))).toEqual([
    'worker_1',
    'worker_1_2',
    'worker_1_3',
    'dual_v4',
    'dual_v6',
  ]);
});
