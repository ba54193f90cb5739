/**
 * The announcement reasons as pure functions (agent/reconcile/plan/announce-reasons.ts): exact
 * verdicts per peer state, the blocked list and its /status lines. Light: the end-to-end file
 * (announce-reasons.test.ts) starts the CLI, so the mutation run cannot use it.
 */
import { describe, expect, test } from 'bun:test';
import {
  ANNOUNCE_REASONS,
  announceReason,
  BLOCKED_IPS_SHOWN,
  blockedAnnouncements,
  blockedCounts,
  blockedProblems,
  ipOf,
  type PeerFacts,
  peerVerdict,
} from '../../agent/reconcile/plan/announce-reasons.ts';

const up = (id: string, o: Partial<PeerFacts> = {}): PeerFacts => ({ id, state: 'Established', ...o });

describe('peerVerdict', () => {
  const cases: [string, string, PeerFacts | undefined, object][] = [
    [
      'no session',
      '10.0.0.1/32',
      undefined,
      { code: 'PeersDown', message: 'BGP peer r1: no session (the BGP speaker is not running yet)' },
    ],
    [
      'down, no error',
      '10.0.0.1/32',
      up('r1', { state: 'Active' }),
      { code: 'PeersDown', message: 'BGP peer r1 is Active' },
    ],
    [
      'down with the last error',
      '10.0.0.1/32',
      up('r1', { state: 'Idle', lastError: { message: 'hold timer expired', at: '2026-01-01T00:00:00Z' } }),
      { code: 'PeersDown', message: 'BGP peer r1 is Idle: hold timer expired (since 2026-01-01T00:00:00Z)' },
    ],
    [
      'Established with an old error: announced',
      '10.0.0.1/32',
      up('r1', { lastError: { message: 'x', at: 'y' } }),
      { announced: true },
    ],
    [
      'IPv4 not negotiated',
      '10.0.0.1/32',
      up('r1', { capabilities: ['mp-ipv6-unicast'] }),
      {
        code: 'FamilyNotNegotiated',
        kind: 'blocked',
        message: 'BGP peer r1 did not negotiate IPv4 unicast (configure the family on the router)',
      },
    ],
    [
      'IPv6 not negotiated',
      'fd00::1/128',
      up('r1', { capabilities: ['mp-ipv4-unicast'] }),
      {
        code: 'FamilyNotNegotiated',
        message: 'BGP peer r1 did not negotiate IPv6 unicast (configure the family on the router)',
      },
    ],
    ['IPv6 negotiated', 'fd00::1/128', up('r1', { capabilities: ['mp-ipv6-unicast'] }), { announced: true }],
    ['IPv4 negotiated', '10.0.0.1/32', up('r1', { capabilities: ['mp-ipv4-unicast'] }), { announced: true }],
    ['capabilities unknown: assumed', 'fd00::1/128', up('r1'), { announced: true }],
    [
      'no IPv6 next hop',
      'fd00::1/128',
      up('r1', { unannounceable: ['fd00::1/128'] }),
      {
        code: 'NoNextHop',
        kind: 'blocked',
        message:
          'no IPv6 next hop for BGP peer r1 (this node has no global IPv6 address usable as one; see bgp.nodeAddressCIDRs)',
      },
    ],
    [
      'no IPv4 next hop',
      '10.0.0.1/32',
      up('r1', { unannounceable: ['10.0.0.1/32'] }),
      {
        code: 'NoNextHop',
        message:
          'no IPv4 next hop for BGP peer r1 (this node has no global IPv4 address usable as one; see bgp.nodeAddressCIDRs)',
      },
    ],
    [
      'another prefix has no next hop',
      '10.0.0.1/32',
      up('r1', { unannounceable: ['10.0.0.2/32'] }),
      { announced: true },
    ],
  ];
  for (const [name, prefix, peer, want] of cases)
    test(name, () => {
      const v = peerVerdict('r1', prefix, peer);
      if ('announced' in want) expect(v).toStrictEqual({ peer: 'r1', announced: true });
      else {
        expect(v.announced).toBe(false);
        expect(v.peer).toBe('r1');
        expect(!v.announced && v.reason).toMatchObject(want);
        expect(!v.announced && Object.keys(v.reason)).toEqual(['code', 'kind', 'message']);
      }
    });

  test('every reason takes its kind from the table', () => {
    for (const code of Object.keys(ANNOUNCE_REASONS) as (keyof typeof ANNOUNCE_REASONS)[])
      expect(announceReason(code, 'm')).toStrictEqual({
        code,
        kind: ANNOUNCE_REASONS[code].kind,
        message: 'm',
      });
  });

  test('ipOf strips only a host prefix length', () => {
    expect(['10.0.0.1/32', 'fd00::1/128', '10.0.0.0/24', 'fd00::/64', '10.0.0.1'].map(ipOf)).toEqual([
      '10.0.0.1',
      'fd00::1',
      '10.0.0.0/24',
      'fd00::/64',
      '10.0.0.1',
    ]);
  });
});

describe('blockedAnnouncements', () => {
  test('an IP is blocked only when no peer meant to get it carries it; the reason is the first peer id', () => {
    const plan = new Map<string, string[]>([
      ['r2', ['10.0.0.1/32', '10.0.0.2/32', 'fd00::1/128']],
      ['r1', ['10.0.0.1/32', '10.0.0.3/32']],
      ['r3', ['10.0.0.2/32']],
    ]);
    const peers = [
      up('r2', { state: 'Connect' }),
      up('r1', { capabilities: ['mp-ipv6-unicast'] }),
      up('r3', { unannounceable: [] }),
    ];
    const out = blockedAnnouncements(plan, peers);
    // 10.0.0.2 reaches r3: not blocked. 10.0.0.1: r1 (first by id) did not negotiate IPv4.
    expect(out.map((b) => [b.ip, b.reason.code, b.peers.map((p) => p.peer)])).toEqual([
      ['10.0.0.1', 'FamilyNotNegotiated', ['r1', 'r2']],
      ['10.0.0.3', 'FamilyNotNegotiated', ['r1']],
      ['fd00::1', 'PeersDown', ['r2']],
    ]);
    expect(out[2]?.peers).toEqual([
      { peer: 'r2', announced: false, reason: announceReason('PeersDown', 'BGP peer r2 is Connect') },
    ]);
    expect(blockedAnnouncements(new Map(), peers)).toEqual([]);
    expect(blockedAnnouncements(new Map([['r1', []]]), peers)).toEqual([]);
  });

  test('one peer carries it, the first does not: not blocked', () => {
    const plan = new Map([
      ['a', ['10.0.0.1/32']],
      ['b', ['10.0.0.1/32']],
    ]);
    expect(blockedAnnouncements(plan, [up('b')])).toEqual([]);
    expect(blockedAnnouncements(plan, [up('a')])).toEqual([]);
    expect(blockedAnnouncements(plan, []).map((b) => b.reason.code)).toEqual(['PeersDown']);
  });
});

describe('counts and problem lines', () => {
  const blocked = (
    ip: string,
    code: 'PeersDown' | 'NoNextHop' | 'FamilyNotNegotiated',
    message = `m-${ip}`,
  ) => ({
    ip,
    reason: announceReason(code, message),
    peers: [],
  });

  test('counts per code', () => {
    const list = [blocked('a', 'PeersDown'), blocked('b', 'NoNextHop'), blocked('c', 'PeersDown')];
    expect([...blockedCounts(list)]).toEqual([
      ['PeersDown', 2],
      ['NoNextHop', 1],
    ]);
    expect(blockedCounts([]).size).toBe(0);
  });

  test('one line per code, five IPs named, the rest counted, NoNextHop left out', () => {
    expect(BLOCKED_IPS_SHOWN).toBe(5);
    const ips = (n: number) => Array.from({ length: n }, (_, i) => `10.0.0.${i + 1}`);
    const mk = (n: number) => ips(n).map((ip) => blocked(ip, 'PeersDown'));
    expect(blockedProblems(mk(5))).toEqual([
      '5 IP(s) not announced (PeersDown): 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5: m-10.0.0.1',
    ]);
    expect(blockedProblems(mk(6))).toEqual([
      '6 IP(s) not announced (PeersDown): 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5 and 1 more: m-10.0.0.1',
    ]);
    expect(blockedProblems(mk(8))).toEqual([
      '8 IP(s) not announced (PeersDown): 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5 and 3 more: m-10.0.0.1',
    ]);
    expect(blockedProblems(mk(4))).toEqual([
      '4 IP(s) not announced (PeersDown): 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4: m-10.0.0.1',
    ]);
    expect(
      blockedProblems([
        blocked('n', 'NoNextHop'),
        blocked('f', 'FamilyNotNegotiated'),
        blocked('p', 'PeersDown'),
        blocked('g', 'FamilyNotNegotiated'),
      ]),
    ).toEqual([
      '2 IP(s) not announced (FamilyNotNegotiated): f, g: m-f',
      '1 IP(s) not announced (PeersDown): p: m-p',
    ]);
    expect(blockedProblems([])).toEqual([]);
  });
});
