/**
 * Story tables for addresses held after a Service's delete (issue 21): ordered steps against one
 * allocator with a fake clock; `leader` rebuilds a new Ipam from what status says (Service
 * status and the pool's held list), as a new leader or a restarted files-mode agent does.
 */
import { describe, expect, test } from 'bun:test';
import { Ipam } from '../../agent/ipam/ipam.ts';
import type { HoldRecord, PoolSpec, ServiceView } from '../../agent/ipam/types.ts';
import { serviceEvents } from '../../agent/reconcile/plan/service-status.ts';
import { pool, summary, svc, type Want } from './builders.ts';

type Step = { name: string; want?: Record<string, Want>; held?: string[] } & (
  | { pool: PoolSpec }
  | { svc: ServiceView }
  | { deleteSvc: string }
  | { advance: number }
  | { leader: true }
);

const T0 = Date.UTC(2026, 5, 1);

function run(steps: Step[]) {
  let now = T0;
  const clock = () => now;
  let ipam = new Ipam({ now: clock });
  const pools = new Map<string, PoolSpec>();
  const svcs = new Map<string, ServiceView>();
  for (const step of steps) {
    if ('pool' in step) {
      pools.set(step.pool.name, step.pool);
      ipam.upsertPool(step.pool);
    } else if ('svc' in step) {
      svcs.set(step.svc.key, step.svc);
      ipam.upsertService(step.svc);
    } else if ('deleteSvc' in step) {
      svcs.delete(step.deleteSvc);
      ipam.deleteService(step.deleteSvc);
    } else if ('advance' in step) {
      now += step.advance * 1000;
      ipam.expireHolds();
    } else {
      // Only what status says survives: Service ingress and the pools' held lists (whole seconds).
      const withStatus = [...svcs.values()].map((s) => {
        const r = ipam.result(s.key);
        return { ...s, statusIPs: r?.ok ? r.ips : [] };
      });
      const holds: HoldRecord[] = JSON.parse(JSON.stringify(ipam.holds()));
      ipam = new Ipam({ now: clock });
      ipam.restore([...pools.values()], withStatus, holds);
    }
    for (const [key, want] of Object.entries(step.want ?? {}))
      expect({ step: step.name, key, got: summary(ipam.result(`default/${key}`)) }).toEqual({
        step: step.name,
        key,
        got: want,
      });
    if (step.held)
      expect({ step: step.name, held: ipam.holds().map((h) => `${h.ip}=${h.namespace}/${h.name}`) }).toEqual({
        step: step.name,
        held: step.held,
      });
  }
  return { ipam, now: () => now };
}

const ips = (ip: string) => ({ annotations: { 'edgelb.io/ips': ip } });

describe('held after delete', () => {
  test('re-created within the hold: the same IP, across a leader change', () => {
    const blog = pool('blog', ['172.198.1.0/30'], { releaseDelaySeconds: 600 });
    run([
      { name: 'pool', pool: blog },
      { name: 'a', svc: svc('a'), want: { a: ['172.198.1.1'] } },
      { name: 'delete a', deleteSvc: 'default/a', held: ['172.198.1.1=default/a'] },
      { name: 'c (auto) skips the held IP', svc: svc('c'), want: { c: ['172.198.1.2'] } },
      { name: 'leader change', leader: true, want: { c: ['172.198.1.2'] }, held: ['172.198.1.1=default/a'] },
      { name: 'still held', advance: 300, held: ['172.198.1.1=default/a'] },
      { name: 're-create a', svc: svc('a'), want: { a: ['172.198.1.1'] }, held: [] },
    ]);
  });

  test('after the hold the IP returns to the pool', () => {
    const p = pool('p', ['10.0.0.0/30'], { releaseDelaySeconds: 60 });
    run([
      { name: 'pool', pool: p },
      { name: 'a', svc: svc('a'), want: { a: ['10.0.0.1'] } },
      { name: 'b', svc: svc('b'), want: { b: ['10.0.0.2'] } },
      { name: 'delete a', deleteSvc: 'default/a', held: ['10.0.0.1=default/a'] },
      { name: '59 s: still held', advance: 59, held: ['10.0.0.1=default/a'] },
      { name: '60 s: released', advance: 1, held: [] },
      { name: 'x gets it (lowest free)', svc: svc('x'), want: { x: ['10.0.0.1'] } },
      { name: 'a comes back too late: a new IP or none', svc: svc('a'), want: { a: 'pool-exhausted' } },
    ]);
  });

  test('an explicit request for a held IP waits with until-when, then gets it', () => {
    const p = pool('p', ['10.0.0.0/29'], { releaseDelaySeconds: 600 });
    const { ipam } = run([
      { name: 'pool', pool: p },
      { name: 'a', svc: svc('a', ips('10.0.0.3')), want: { a: ['10.0.0.3'] } },
      { name: 'delete a', deleteSvc: 'default/a' },
      { name: 'z asks for it', svc: svc('z', ips('10.0.0.3')), want: { z: 'ip-held' } },
    ]);
    const r = ipam.result('default/z');
    expect(r?.ok).toBe(false);
    expect(r?.message).toBe(
      '10.0.0.3 is held for default/a until 2026-06-01T00:10:00Z (that Service was deleted; it gets the address back if re-created before then)',
    );
    run([
      { name: 'pool', pool: p },
      { name: 'a', svc: svc('a', ips('10.0.0.3')), want: { a: ['10.0.0.3'] } },
      { name: 'delete a', deleteSvc: 'default/a' },
      { name: 'z waits', svc: svc('z', ips('10.0.0.3')), want: { z: 'ip-held' } },
      { name: 'leader change: still waits', leader: true, want: { z: 'ip-held' } },
      { name: 'hold expires: z gets it', advance: 600, want: { z: ['10.0.0.3'] }, held: [] },
    ]);
  });

  test('automatic allocation never takes a held IP while the pool has another', () => {
    const p = pool('p', ['10.0.0.0/29'], { releaseDelaySeconds: 600 });
    run([
      { name: 'pool', pool: p },
      { name: 'a', svc: svc('a'), want: { a: ['10.0.0.1'] } },
      { name: 'delete a', deleteSvc: 'default/a', held: ['10.0.0.1=default/a'] },
      { name: 'x', svc: svc('x'), want: { x: ['10.0.0.2'] }, held: ['10.0.0.1=default/a'] },
    ]);
  });

  test('a full pool takes the oldest hold first, with an Event', () => {
    const p = pool('p', ['10.0.0.0/30'], { releaseDelaySeconds: 600 });
    const { ipam } = run([
      { name: 'pool', pool: p },
      { name: 'a', svc: svc('a'), want: { a: ['10.0.0.1'] } },
      { name: 'b', svc: svc('b'), want: { b: ['10.0.0.2'] } },
      { name: 'delete b first', deleteSvc: 'default/b' },
      { name: 'later', advance: 10 },
      { name: 'delete a', deleteSvc: 'default/a', held: ['10.0.0.2=default/b', '10.0.0.1=default/a'] },
      {
        name: 'x takes the oldest (b)',
        svc: svc('x'),
        want: { x: ['10.0.0.2'] },
        held: ['10.0.0.1=default/a'],
      },
    ]);
    const r = ipam.result('default/x');
    expect(r?.ok && r.tookHold).toEqual([
      { ip: '10.0.0.2', heldFor: 'default/b', expires: '2026-06-01T00:10:00Z' },
    ]);
    expect(serviceEvents(r!, []).map((e) => [e.kind, e.type, e.message])).toEqual([
      ['Allocated', 'Normal', 'Assigned 10.0.0.2 from pool p'],
      [
        'HeldIPTaken',
        'Warning',
        'Took 10.0.0.2, held for deleted Service default/b until 2026-06-01T00:10:00Z: the pool had no other free address',
      ],
    ]);
  });

  test('releaseDelaySeconds 0 (or absent) frees at once', () => {
    run([
      { name: 'pool', pool: pool('p', ['10.0.0.0/30'], { releaseDelaySeconds: 0 }) },
      { name: 'a', svc: svc('a', ips('10.0.0.2')), want: { a: ['10.0.0.2'] } },
      { name: 'delete a', deleteSvc: 'default/a', held: [] },
      { name: 'z asks for it: granted', svc: svc('z', ips('10.0.0.2')), want: { z: ['10.0.0.2'] } },
    ]);
  });

  test('re-created asking for another IP: the hold is dropped', () => {
    run([
      { name: 'pool', pool: pool('p', ['10.0.0.0/29'], { releaseDelaySeconds: 600 }) },
      { name: 'a', svc: svc('a'), want: { a: ['10.0.0.1'] } },
      { name: 'delete a', deleteSvc: 'default/a', held: ['10.0.0.1=default/a'] },
      { name: 'a asks for .5', svc: svc('a', ips('10.0.0.5')), want: { a: ['10.0.0.5'] }, held: [] },
      { name: 'x gets .1', svc: svc('x'), want: { x: ['10.0.0.1'] } },
    ]);
  });

  test('a shared IP is not held while another Service still shares it', () => {
    const key = (k: string) => ({ annotations: { 'edgelb.io/sharing-key': k } });
    run([
      { name: 'pool', pool: pool('p', ['10.0.0.0/29'], { releaseDelaySeconds: 600 }) },
      {
        name: 'a',
        svc: svc('a', { ...key('k'), ports: [{ port: 80, protocol: 'TCP' }] }),
        want: { a: ['10.0.0.1'] },
      },
      {
        name: 'b',
        svc: svc('b', { ...key('k'), ports: [{ port: 443, protocol: 'TCP' }] }),
        want: { b: ['10.0.0.1'] },
      },
      { name: 'delete a', deleteSvc: 'default/a', held: [] },
      { name: 'delete b (last holder)', deleteSvc: 'default/b', held: ['10.0.0.1=default/b'] },
    ]);
  });

  test('a pool shrink drops the holds it no longer contains', () => {
    run([
      { name: 'pool', pool: pool('p', ['10.0.0.0/29'], { releaseDelaySeconds: 600 }) },
      { name: 'a', svc: svc('a', ips('10.0.0.6')), want: { a: ['10.0.0.6'] } },
      { name: 'delete a', deleteSvc: 'default/a', held: ['10.0.0.6=default/a'] },
      { name: 'shrink', pool: { ...pool('p', ['10.0.0.0/30'], { releaseDelaySeconds: 600 }) }, held: [] },
    ]);
  });

  test('restore: status wins over a stale hold; expired holds are not restored', () => {
    const ipam = new Ipam({ now: () => T0 });
    const p = pool('p', ['10.0.0.0/29'], { releaseDelaySeconds: 600 });
    const stale: HoldRecord = {
      namespace: 'default',
      name: 'gone',
      ip: '10.0.0.1',
      pool: 'p',
      expires: '2026-06-01T00:05:00Z',
    };
    const expired: HoldRecord = { ...stale, name: 'old', ip: '10.0.0.2', expires: '2026-05-31T23:59:59Z' };
    const kept: HoldRecord = { ...stale, name: 'kept', ip: '10.0.0.3' };
    ipam.restore([p], [svc('owner', { statusIPs: ['10.0.0.1'] }), svc('new')], [stale, expired, kept]);
    expect(summary(ipam.result('default/owner'))).toEqual(['10.0.0.1']);
    expect(summary(ipam.result('default/new'))).toEqual(['10.0.0.2']);
    expect(ipam.holds().map((h) => h.ip)).toEqual(['10.0.0.3']);
    expect(ipam.nextHoldExpiry()).toBe(Date.parse('2026-06-01T00:05:00Z'));
    expect(ipam.pools()[0]?.held).toBe(1);
  });
});
