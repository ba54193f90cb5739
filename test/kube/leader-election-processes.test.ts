/**
 * Three leader-election contenders as separate processes against the TLS test API server,
 * with short timings. The leadership intervals the processes report (start/stop, wall
 * clock) are replayed in order: at no instant do two processes lead.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { LineReader, type Proc, start, stopAll, waitFor } from '../support/proc.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';

const LEASE_MS = 2_000;
const RENEW_MS = 1_000;
const RETRY_MS = 250;
const BUN = process.execPath;
const SCRIPT = join(import.meta.dir, 'support', 'contender.ts');

interface Ev {
  ev: 'ready' | 'start' | 'stop' | 'exit';
  id: string;
  at: number;
}

class Contender {
  readonly proc: Proc;
  readonly lines: LineReader;
  killedAt: number | undefined;
  constructor(
    readonly id: string,
    kubeconfig: string,
  ) {
    this.proc = start([BUN, SCRIPT, kubeconfig, id, String(LEASE_MS), String(RENEW_MS), String(RETRY_MS)], {
      name: `contender-${id}`,
      pipe: true,
    });
    this.lines = new LineReader(this.proc.child.stdout as ReadableStream<Uint8Array>);
  }
  events(): Ev[] {
    const out = this.lines.all().map((l) => JSON.parse(l) as Ev);
    if (this.killedAt !== undefined) out.push({ ev: 'stop', id: this.id, at: this.killedAt });
    return out;
  }
  leading(): boolean {
    const evs = this.events().filter((e) => e.ev === 'start' || e.ev === 'stop');
    return evs.at(-1)?.ev === 'start';
  }
  async kill(): Promise<void> {
    this.killedAt = Date.now();
    await this.proc.kill();
  }
}

/** Replays every start/stop in time order; throws if two lead at once. Returns the max concurrent. */
function checkExclusive(cs: Contender[]): number {
  const evs = cs.flatMap((c) => c.events()).filter((e) => e.ev === 'start' || e.ev === 'stop');
  // at equal timestamps apply stops first (a handoff within the same millisecond is not an overlap)
  evs.sort((a, b) => a.at - b.at || (a.ev === 'stop' ? -1 : 1));
  const leaders = new Set<string>();
  let max = 0;
  for (const e of evs) {
    if (e.ev === 'start') leaders.add(e.id);
    else leaders.delete(e.id);
    max = Math.max(max, leaders.size);
    if (leaders.size > 1) throw new Error(`two leaders at ${e.at}: ${[...leaders].join(', ')}`);
  }
  return max;
}

function startOf(c: Contender, after = 0): number | undefined {
  return c.events().find((e) => e.ev === 'start' && e.at >= after)?.at;
}

describe('leader election across processes (TLS test API server)', () => {
  let server: TestApiServer;
  let proxy: TcpProxy | undefined;
  let cs: Contender[] = [];

  beforeAll(async () => {
    server = await startApiServer();
  });
  afterEach(async () => {
    await stopAll();
    proxy?.stop();
    proxy = undefined;
    cs = [];
    server.remove('coordination.k8s.io/v1', 'Lease', 'kube-system', 'edgelb-test');
  });
  afterAll(async () => {
    await stopAll();
    await server?.stop();
  });

  /** Polls continuously while waiting: two leaders at any instant fails the test at once. */
  async function watchUntil<T>(what: string, f: () => T | undefined, timeoutMs = 8_000): Promise<T> {
    return waitFor(
      what,
      () => {
        checkExclusive(cs);
        return f();
      },
      { timeoutMs, intervalMs: 20 },
    );
  }

  test('SIGKILL of the leader: another leads within the lease duration (plus jittered retries)', async () => {
    cs = ['p1', 'p2', 'p3'].map((id) => new Contender(id, server.kubeconfigCert));
    const first = await watchUntil('a leader', () => cs.find((c) => c.leading()));
    await Bun.sleep(1_000); // a few renewals
    expect(cs.filter((c) => c.leading())).toEqual([first]);
    await first.kill();
    const next = await watchUntil('a new leader', () => cs.find((c) => c !== first && c.leading()));
    const took = startOf(next, first.killedAt)! - first.killedAt!;
    checkExclusive(cs);
    console.log(`failover after SIGKILL: ${took} ms (leaseDuration ${LEASE_MS}, retryPeriod ${RETRY_MS})`);
    // A follower may first see the last renewal up to one jittered retry (2.2 x retry) after the kill,
    // then needs one more poll once the lease expires on its clock.
    expect(took).toBeGreaterThanOrEqual(LEASE_MS - RETRY_MS * 2.2);
    expect(took).toBeLessThanOrEqual(LEASE_MS + 2 * 2.2 * RETRY_MS + 200);
    await Bun.sleep(500);
    expect(checkExclusive(cs)).toBe(1);
    const lease = server.get('coordination.k8s.io/v1', 'Lease', 'kube-system', 'edgelb-test');
    expect(lease.spec.holderIdentity).toBe(next.id);
    expect(lease.spec.leaseTransitions).toBe(1);
    expect(lease.spec.renewTime).toMatch(/\.\d{6}Z$/);
  }, 20_000);

  test('a clean stop releases the Lease: handoff under 1 s', async () => {
    cs = ['q1', 'q2', 'q3'].map((id) => new Contender(id, server.kubeconfigToken));
    const first = await watchUntil('a leader', () => cs.find((c) => c.leading()));
    await Bun.sleep(600);
    const stoppedAt = Date.now();
    first.proc.signal('SIGTERM');
    await first.proc.exited;
    const released = first.events().find((e) => e.ev === 'stop')!.at;
    const next = await watchUntil('a new leader', () => cs.find((c) => c !== first && c.leading()), 3_000);
    const handoff = startOf(next, stoppedAt)! - released;
    console.log(`handoff after clean stop: ${handoff} ms`);
    expect(handoff).toBeLessThan(1_000);
    checkExclusive(cs);
  }, 20_000);

  test('a leader partitioned from the API stops before its lease can expire for the others', async () => {
    proxy = await startTcpProxy(server.host, server.port);
    const viaProxy = join(server.dir, 'kubeconfig-proxy.yaml');
    writeFileSync(
      viaProxy,
      readFileSync(server.kubeconfigCert, 'utf8').replace(`:${server.port}`, `:${proxy.port}`),
    );
    const a = new Contender('r1', viaProxy);
    cs = [a];
    await watchUntil('r1 leads', () => a.leading() || undefined);
    cs.push(new Contender('r2', server.kubeconfigCert), new Contender('r3', server.kubeconfigCert));
    await Bun.sleep(1_000);
    expect(a.leading()).toBe(true);
    const cutAt = Date.now();
    proxy.partition(true);
    const next = await watchUntil('a successor', () => cs.find((c) => c !== a && c.leading()));
    const stopped = a.events().find((e) => e.ev === 'stop')?.at;
    expect(stopped).toBeDefined();
    const took = startOf(next, cutAt)!;
    console.log(
      `partition: leader stopped ${stopped! - cutAt} ms after the cut, successor ${took - cutAt} ms after`,
    );
    // it stopped within renewDeadline of the cut, and before anybody else could lead
    expect(stopped! - cutAt).toBeLessThanOrEqual(RENEW_MS + 100);
    expect(took).toBeGreaterThan(stopped!);
    checkExclusive(cs);
    const lease = server.get('coordination.k8s.io/v1', 'Lease', 'kube-system', 'edgelb-test');
    expect(lease.spec.holderIdentity).toBe(next.id);
    expect(lease.spec.leaseTransitions).toBe(1);
    // healed: the old leader sees the new holder and stays a follower
    proxy.partition(false);
    await Bun.sleep(RENEW_MS + RETRY_MS * 4);
    checkExclusive(cs);
    expect(a.leading()).toBe(false);
    const after = server.get('coordination.k8s.io/v1', 'Lease', 'kube-system', 'edgelb-test');
    expect(after.spec.holderIdentity).toBe(next.id);
    expect(after.spec.leaseTransitions).toBe(1);
  }, 20_000);
});
