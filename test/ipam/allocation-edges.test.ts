/**
 * Edges of the per-Service reconcile (agent/ipam/allocation.ts) the stories leave open: who is
 * revalidated when a pool changes, who waits for whom, and the exact shape of a result.
 */
import { describe, expect, test } from 'bun:test';
import { Ipam } from '../../agent/ipam/ipam.ts';
import { pool, summary, svc } from './builders.ts';

const T0 = Date.UTC(2026, 5, 1);

test('widening a pool (same first or last address) keeps its holders out of the retry: the oldest pending Service goes first', () => {
  // y holds the pool's only IPv4 address and waits for IPv6; x (older) waits for IPv6 too.
  // A widening keeps every holder valid, so nobody is revalidated out of turn: x goes first.
  for (const grown of [
    ['10.0.0.1-10.0.0.1', 'fd00::1-fd00::1'],
    ['10.0.0.1-10.0.0.3', 'fd00::1-fd00::1'],
    ['10.0.0.0-10.0.0.1', 'fd00::1-fd00::1'],
  ]) {
    const x = svc('x', { ipFamilies: ['IPv6'] });
    const y = svc('y', { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'PreferDualStack' });
    const p = pool('p', ['10.0.0.1-10.0.0.1']);
    const ipam = new Ipam();
    ipam.upsertPool(p);
    ipam.upsertService(y);
    ipam.upsertService(x);
    expect([summary(ipam.result(x.key)), summary(ipam.result(y.key))]).toEqual([
      'no-matching-pool',
      ['10.0.0.1'],
    ]);
    ipam.upsertPool(pool('p', grown, { creationOrder: p.creationOrder }));
    expect({ grown, x: summary(ipam.result(x.key)), y: summary(ipam.result(y.key)) }).toEqual({
      grown,
      x: ['fd00::1'],
      y: ['10.0.0.1'],
    });
  }
});

test('an older pool widening over a newer one it already overlaps takes over the holdings and holds there', () => {
  const c = pool('c', ['10.0.0.1-10.0.0.4']);
  const p = pool('p', ['10.0.0.4-10.0.0.8'], { releaseDelaySeconds: 600 });
  const ipam = new Ipam({ now: () => T0 });
  const s = svc('s', { statusIPs: ['10.0.0.6'] });
  ipam.restore(
    [c, p],
    [s],
    [{ namespace: 'default', name: 'gone', ip: '10.0.0.7', pool: 'p', expires: '2026-06-01T00:10:00Z' }],
  );
  expect(ipam.result(s.key)).toMatchObject({ ok: true, ips: ['10.0.0.6'], pool: 'p' });
  expect(ipam.holds().map((h) => `${h.ip}@${h.pool}`)).toEqual(['10.0.0.7@p']);
  expect(ipam.pools().map((f) => [f.name, f.state, f.held])).toEqual([
    ['c', 'ready', undefined],
    ['p', 'conflict', 1],
  ]);
  const changed = ipam.upsertPool(pool('c', ['10.0.0.1-10.0.0.8'], { creationOrder: c.creationOrder }));
  expect(changed.map((r) => r.ok && [r.key, r.ips, r.pool])).toEqual([['default/s', ['10.0.0.6'], 'c']]);
  expect(ipam.result(s.key)).toMatchObject({ ok: true, message: '10.0.0.6 from pool c' });
  expect(ipam.holds().map((h) => `${h.ip}@${h.pool}`)).toEqual(['10.0.0.7@c']);
  expect(ipam.pools().map((f) => [f.name, f.used, f.held])).toEqual([
    ['c', '2', 1],
    ['p', '0', undefined],
  ]);
});

test('a full pool with exactly one hold: a waiting Service takes it when the holder goes, a new one when it comes', () => {
  const ipam = new Ipam({ now: () => T0 });
  ipam.upsertPool(pool('p', ['10.0.0.1-10.0.0.1'], { releaseDelaySeconds: 60 }));
  ipam.upsertService(svc('a'));
  ipam.upsertService(svc('w'));
  expect(summary(ipam.result('default/w'))).toBe('pool-exhausted');
  // a goes: its address is held, and w (waiting on the full pool) takes it at once.
  const changed = ipam.deleteService('default/a');
  expect(changed).toEqual([
    {
      key: 'default/w',
      ok: true,
      ips: ['10.0.0.1'],
      pools: ['p'],
      pool: 'p',
      message: '10.0.0.1 from pool p',
      tookHold: [{ ip: '10.0.0.1', heldFor: 'default/a', expires: '2026-06-01T00:01:00Z' }],
    },
  ]);
  expect(ipam.holds()).toEqual([]);
  // The same with nobody waiting: one hold, then a new Service takes it.
  const b = new Ipam({ now: () => T0 });
  b.upsertPool(pool('p', ['10.0.0.1-10.0.0.1'], { releaseDelaySeconds: 60 }));
  b.upsertService(svc('a'));
  b.deleteService('default/a');
  expect(b.holds().map((h) => h.ip)).toEqual(['10.0.0.1']);
  expect(b.upsertService(svc('n')).map(summary)).toEqual([['10.0.0.1']]);
});

test('a plain result has exactly its fields (no tookHold key without a hold taken)', () => {
  const ipam = new Ipam();
  ipam.upsertPool(pool('p', ['10.0.0.0/30']));
  const [r] = ipam.upsertService(svc('a'));
  expect(r).toStrictEqual({
    key: 'default/a',
    ok: true,
    ips: ['10.0.0.1'],
    pools: ['p'],
    pool: 'p',
    message: '10.0.0.1 from pool p',
  });
  expect(Object.keys(r as object)).toEqual(['key', 'ok', 'ips', 'pools', 'pool', 'message']);
});

test('without an injected clock the IPAM lives at epoch 0', () => {
  const ipam = new Ipam();
  ipam.upsertPool(pool('p', ['10.0.0.0/30'], { releaseDelaySeconds: 5 }));
  ipam.upsertService(svc('a'));
  ipam.deleteService('default/a');
  expect(ipam.nextHoldExpiry()).toBe(5000);
  expect(ipam.holds().map((h) => [h.since, h.expires])).toEqual([
    ['1970-01-01T00:00:00Z', '1970-01-01T00:00:05Z'],
  ]);
  // restore keeps a hold only while it has not expired: at epoch 0, one expiring at 0 is gone.
  const r = new Ipam();
  const rec = { namespace: 'default', name: 'gone', ip: '10.0.0.1', pool: 'p' };
  r.restore(
    [pool('p', ['10.0.0.0/30'], { releaseDelaySeconds: 5 })],
    [],
    [
      { ...rec, expires: '1970-01-01T00:00:00Z' },
      { ...rec, ip: '10.0.0.2', expires: '1970-01-01T00:00:00.001Z' },
    ],
  );
  expect(r.holds().map((h) => h.ip)).toEqual(['10.0.0.2']);
});

test('every one-address result from a pool shares one frozen pools list', () => {
  const ipam = new Ipam();
  ipam.upsertPool(pool('p', ['10.0.0.0/29']));
  const [a] = ipam.upsertService(svc('a'));
  const [b] = ipam.upsertService(svc('b'));
  expect(a?.ok && b?.ok && a.pools === b.pools).toBe(true);
  expect(a?.ok && Object.isFrozen(a.pools)).toBe(true);
  expect(a?.ok && a.pools).toEqual(['p']);
});

test('failure and partial-success messages per family policy', () => {
  const dual = (policy: 'PreferDualStack' | 'RequireDualStack', extra = {}) =>
    svc(`s-${policy}-${Object.keys(extra).length}`, {
      ipFamilies: ['IPv4', 'IPv6'],
      ipFamilyPolicy: policy,
      ...extra,
    });
  const noV6 = 'IPv6: no pool with IPv6 addresses selects the Service';
  const none =
    'IPv4: no pool with IPv4 addresses selects the Service; IPv6: no pool with IPv6 addresses selects the Service';
  const cases: [string, string[], ReturnType<typeof svc>, object][] = [
    [
      'prefer, no pool',
      [],
      dual('PreferDualStack'),
      { ok: false, reason: 'no-matching-pool', message: none },
    ],
    [
      'require, no pool',
      [],
      dual('RequireDualStack'),
      { ok: false, reason: 'no-matching-pool', message: none },
    ],
    [
      'prefer, IPv4 only',
      ['10.0.0.0/30'],
      dual('PreferDualStack'),
      { ok: true, ips: ['10.0.0.1'], pools: ['p'], pool: 'p', message: `10.0.0.1 from pool p; ${noV6}` },
    ],
    [
      'require, IPv4 only',
      ['10.0.0.0/30'],
      dual('RequireDualStack'),
      { ok: false, reason: 'dual-stack-unavailable', message: `RequireDualStack: ${noV6}` },
    ],
    [
      'require, explicit, the IPv6 one in no pool',
      ['10.0.0.0/30'],
      dual('RequireDualStack', { annotations: { 'edgelb.io/ips': '10.0.0.2,fd00::9' } }),
      { ok: false, reason: 'no-pool-for-ip', message: 'RequireDualStack: IPv6: fd00::9 is in no pool' },
    ],
    [
      'require, both',
      ['10.0.0.0/30', 'fd00::/126'],
      dual('RequireDualStack'),
      {
        ok: true,
        ips: ['10.0.0.1', 'fd00::1'],
        pools: ['p', 'p'],
        pool: 'p',
        message: '10.0.0.1, fd00::1 from pool p',
      },
    ],
    [
      'prefer, two pools',
      ['10.0.0.0/30'],
      dual('PreferDualStack'),
      {
        ok: true,
        ips: ['10.0.0.1', 'fd00::1'],
        pools: ['p', 'q'],
        pool: 'p, q',
        message: '10.0.0.1, fd00::1 from pool p, q',
      },
    ],
  ];
  for (const [name, blocks, s, want] of cases) {
    const ipam = new Ipam();
    if (blocks.length > 0) ipam.upsertPool(pool('p', blocks));
    if (name === 'prefer, two pools') ipam.upsertPool(pool('q', ['fd00::/126']));
    ipam.upsertService(s);
    expect({ name, got: ipam.result(s.key) }).toEqual({ name, got: { key: s.key, ...want } as never });
  }
});

test('a status IP in another spelling is imported as its canonical text', () => {
  const ipam = new Ipam();
  const s = svc('s', { ipFamilies: ['IPv6'], statusIPs: ['FD00:0::3'] });
  ipam.restore([pool('p', ['fd00::/125'])], [s]);
  expect(summary(ipam.result(s.key))).toEqual(['fd00::3']);
  // Told again in the other spelling: nothing changes, nothing is reported lost.
  expect(ipam.upsertService(s)).toEqual([]);
});

test('an address taken away is reported as replaced, with why', () => {
  const ipam = new Ipam();
  const p = pool('p', ['10.0.0.0/29']);
  ipam.upsertPool(p);
  ipam.upsertService(svc('a', { labels: { tier: 'web' } }));
  const changed = ipam.upsertPool({ ...p, serviceSelector: { matchLabels: { tier: 'db' } } });
  expect(changed).toEqual([
    {
      key: 'default/a',
      ok: false,
      reason: 'no-matching-pool',
      message: 'no pool with IPv4 addresses selects the Service',
      replaced: { ips: ['10.0.0.1'], why: "10.0.0.1: pool p's serviceSelector does not match the Service" },
    },
  ]);
});

test('a sharing partner leaving keeps the shared address findable under the key', () => {
  const ipam = new Ipam();
  ipam.upsertPool(pool('p', ['10.0.0.0/29']));
  const keyed = (name: string, port: number) =>
    svc(name, { annotations: { 'edgelb.io/sharing-key': 'k' }, ports: [{ port, protocol: 'TCP' }] });
  for (const [name, port] of [
    ['a', 80],
    ['b', 81],
  ] as const)
    ipam.upsertService(keyed(name, port));
  ipam.deleteService('default/b');
  ipam.upsertService(keyed('c', 82));
  expect([summary(ipam.result('default/a')), summary(ipam.result('default/c'))]).toEqual([
    ['10.0.0.1'],
    ['10.0.0.1'],
  ]);
});

describe('a Service waiting for an address by name hears when its holders change', () => {
  const ips = (ip: string, extra: Record<string, string> = {}) => ({
    annotations: { 'edgelb.io/ips': ip, ...extra },
  });

  test('a sharing partner leaves: the refusal names the one still holding it', () => {
    const ipam = new Ipam();
    ipam.upsertPool(pool('p', ['10.0.0.0/29']));
    const shared = (name: string, port: number) =>
      svc(name, { ...ips('10.0.0.5', { 'edgelb.io/sharing-key': 'k' }), ports: [{ port, protocol: 'TCP' }] });
    ipam.upsertService(shared('y', 80));
    ipam.upsertService(shared('z', 81));
    ipam.upsertService(svc('x', ips('10.0.0.5')));
    expect(ipam.result('default/x')?.message).toBe('10.0.0.5 is held by default/y');
    expect(ipam.deleteService('default/y').map((r) => [r.key, r.message])).toEqual([
      ['default/x', '10.0.0.5 is held by default/z'],
    ]);
  });

  test('a held address is taken by a full pool or by its re-created Service: the refusal says by whom', () => {
    for (const taker of ['t', 'a']) {
      const ipam = new Ipam({ now: () => T0 });
      ipam.upsertPool(pool('p', ['10.0.0.1-10.0.0.1'], { releaseDelaySeconds: 600 }));
      ipam.upsertService(svc('a'));
      ipam.deleteService('default/a');
      ipam.upsertService(svc('x', ips('10.0.0.1')));
      expect(summary(ipam.result('default/x'))).toBe('ip-held');
      const changed = ipam.upsertService(svc(taker));
      expect({ taker, changed: changed.map((r) => [r.key, r.message]) }).toEqual({
        taker,
        changed: [
          [`default/${taker}`, '10.0.0.1 from pool p'],
          ['default/x', `10.0.0.1 is held by default/${taker}`],
        ],
      });
    }
  });
});

test('an address a waiting Service names is claimed by another: the refusal says by whom', () => {
  const ipam = new Ipam();
  const p = pool('p', ['10.0.0.0/29'], { disabled: true });
  ipam.upsertPool(p);
  ipam.upsertService(svc('x', { annotations: { 'edgelb.io/ips': '10.0.0.5' } }));
  expect(ipam.result('default/x')?.message).toBe('10.0.0.5 is in pool p, which is disabled');
  // A Service whose status already names it keeps it (a disabled pool hands out nothing new).
  const changed = ipam.upsertService(svc('t', { statusIPs: ['10.0.0.5'] }));
  expect(changed.map((r) => [r.key, r.message])).toEqual([
    ['default/t', '10.0.0.5 from pool p'],
    ['default/x', '10.0.0.5 is held by default/t'],
  ]);
});

test('splitting a block into adjacent blocks is no change for its holders', () => {
  const x = svc('x', { ipFamilies: ['IPv6'] });
  const y = svc('y', { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'PreferDualStack' });
  const p = pool('p', ['10.0.0.1-10.0.0.2']);
  const ipam = new Ipam();
  ipam.upsertPool(p);
  ipam.upsertService(y);
  ipam.upsertService(x);
  ipam.upsertPool(
    pool('p', ['10.0.0.1-10.0.0.1', '10.0.0.2-10.0.0.2', 'fd00::1-fd00::1'], {
      creationOrder: p.creationOrder,
    }),
  );
  expect([summary(ipam.result(x.key)), summary(ipam.result(y.key))]).toEqual([['fd00::1'], ['10.0.0.1']]);
  expect(ipam.pools()[0]?.total).toBe('3');
});
