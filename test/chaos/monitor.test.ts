// biome-ignore-all lint/suspicious/noExplicitAny: a stand-in for the API server's store
/**
 * The monitor catches what it claims to: a status write by a non-holder, interleaved writers,
 * an IP that moves without a cause, incompatible sharing, a status on another class's Service.
 * (Otherwise "0 violations" in the chaos run would prove nothing.)
 */
import { describe, expect, test } from 'bun:test';
import type { TestApiServer } from '../support/apiserver/index.ts';
import type { RequestRecord } from '../support/apiserver/server.ts';
import type { Node, PoolState, SvcSpec } from './model.ts';
import { Monitor } from './monitor.ts';

function world() {
  let now = 1_000_000;
  const services = new Map<string, any>();
  const lease = { spec: { holderIdentity: '' } };
  const api = {
    get: (_v: string, kind: string, ns: string, name: string) =>
      kind === 'Lease' ? lease : services.get(`${ns}/${name}`),
    list: (_v: string, _k: string, ns: string) =>
      [...services.values()].filter((s) => s.metadata.namespace === ns),
  } as unknown as TestApiServer;
  const specs = new Map<string, SvcSpec>();
  const pool: PoolState = { block: 26, disabled: false };
  const gens: Record<Node, number> = { worker: 1, pi4: 1, master: 1 };
  const stopped = new Map<string, number>();
  const mon = new Monitor({
    api,
    nodeByAddress: new Map<string, Node>([
      ['192.168.2.10', 'worker'],
      ['192.168.2.11', 'pi4'],
    ]),
    lease: { durationMs: 4000, renewMs: 3000 },
    specs,
    pool: () => pool,
    generation: (n) => gens[n],
    stoppedAt: (p) => stopped.get(p),
    now: () => now,
  });
  let uid = 0;
  const svc = (name: string, ips: string[], extra: Partial<SvcSpec> = {}) => {
    const s: SvcSpec = {
      name,
      ns: 'chaos-a',
      port: 10_000 + uid,
      cls: 'none',
      etpLocal: false,
      blogLabel: false,
      endpoints: [],
      touch: 0,
      ...extra,
    };
    specs.set(`chaos-a/${name}`, s);
    services.set(`chaos-a/${name}`, {
      metadata: { name, namespace: 'chaos-a', uid: `u${uid++}` },
      spec: { loadBalancerClass: s.cls === 'other' ? 'x/y' : undefined },
      status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } },
    });
    return s;
  };
  const setIps = (name: string, ips: string[]) => {
    services.get(`chaos-a/${name}`).status.loadBalancer.ingress = ips.map((ip) => ({ ip }));
  };
  const req = (addr: string, path: string, method = 'PUT', status = 200): RequestRecord => ({
    method,
    path,
    status,
    user: 'edgelb-node',
    remoteAddress: addr,
    at: now,
  });
  const takeLease = (id: string, addr: string) => {
    lease.spec.holderIdentity = id;
    mon.onRequest(req(addr, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/edgelb'));
  };
  return {
    mon,
    svc,
    setIps,
    req,
    takeLease,
    gens,
    stopped,
    advance: (ms: number) => {
      now += ms;
    },
    uidOf: (name: string) => services.get(`chaos-a/${name}`).metadata.uid as string,
  };
}

const STATUS = '/api/v1/namespaces/chaos-a/services/web/status';

describe('chaos monitor', () => {
  test('a status write by the Lease holder is fine; by another node is a violation', () => {
    const w = world();
    w.takeLease('worker_aaa', '192.168.2.10');
    w.mon.onRequest(w.req('192.168.2.10', STATUS));
    expect(w.mon.violations).toEqual([]);
    w.mon.onRequest(w.req('192.168.2.11', STATUS));
    expect(w.mon.violations.join()).toContain('while the Lease holder is worker_aaa');
  });

  test('a restarted process of the holder node is not the holder', () => {
    const w = world();
    w.takeLease('worker_aaa', '192.168.2.10');
    w.gens.worker++;
    w.mon.onRequest(w.req('192.168.2.10', STATUS));
    expect(w.mon.violations.length).toBe(1);
  });

  test('a failed write counts for nothing; a writer change faster than lease − renewDeadline is interleaving', () => {
    const w = world();
    w.takeLease('worker_aaa', '192.168.2.10');
    w.mon.onRequest(w.req('192.168.2.11', STATUS, 'PUT', 409));
    expect(w.mon.violations).toEqual([]);
    w.mon.onRequest(w.req('192.168.2.10', STATUS));
    w.advance(300);
    w.takeLease('pi4_bbb', '192.168.2.11');
    w.mon.onRequest(w.req('192.168.2.11', STATUS));
    expect(w.mon.violations.join()).toContain('status writers interleave');
    expect(w.mon.leaderChanges).toBe(1);
  });

  test('after a harness stop the next writer may follow at once', () => {
    const w = world();
    w.takeLease('worker_aaa', '192.168.2.10');
    w.mon.onRequest(w.req('192.168.2.10', STATUS));
    w.stopped.set('worker#1', 0);
    w.advance(100);
    w.takeLease('pi4_bbb', '192.168.2.11');
    w.mon.onRequest(w.req('192.168.2.11', STATUS));
    expect(w.mon.violations).toEqual([]);
  });

  test('an IP that moves without a cause is a violation; with a cause it is not', () => {
    const w = world();
    w.svc('a', ['10.77.0.1']);
    w.svc('b', ['10.77.0.2']);
    w.mon.poll();
    w.mon.cause(w.uidOf('a'));
    w.setIps('a', ['10.77.0.3']);
    w.mon.poll();
    expect(w.mon.violations).toEqual([]);
    w.setIps('b', ['10.77.0.4']);
    w.mon.poll();
    expect(w.mon.violations.join()).toContain('chaos-a/b IP changed 10.77.0.2 -> 10.77.0.4 with no cause');
  });

  test('an IP outside the pool is its own cause (a shrink seen late)', () => {
    const w = world();
    w.svc('a', ['10.77.0.100']);
    w.mon.poll();
    w.setIps('a', ['10.77.0.5']);
    w.mon.poll();
    expect(w.mon.violations).toEqual([]);
  });

  test('incompatible sharing written while specs were quiet is a violation; compatible sharing is not', () => {
    const w = world();
    w.svc('a', ['10.77.0.1'], { sharingKey: 'k1' });
    w.svc('b', ['10.77.0.1'], { sharingKey: 'k1' });
    w.mon.poll();
    expect(w.mon.violations).toEqual([]);
    w.svc('c', [], {});
    w.mon.poll();
    w.advance(5000);
    w.setIps('c', ['10.77.0.1']);
    w.mon.poll();
    expect(w.mon.violations.join()).toContain('incompatible');
  });

  test('a status on a Service of another class is a violation', () => {
    const w = world();
    w.svc('x', ['10.77.0.9'], { cls: 'other' });
    w.mon.poll();
    expect(w.mon.violations.join()).toContain('got a status from edgelb');
  });
});
