/**
 * Heartbeats and L2 ownership against the TLS test API server in real time with the default
 * timings (lease 2 s, renew 0.5 s): the Lease it writes (MicroTime, label, claims), the renewal
 * rate, self-fencing when the API server becomes unreachable from one node (a TCP relay that
 * stops forwarding), and a clean stop that hands the IPs over at once.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadKubeconfig } from '../../agent/kube/kubeconfig.ts';
import { kubeLeaseStore } from '../../agent/kube/leader-election.ts';
import { KubeClient } from '../../agent/kube/transport.ts';
import { DEFAULT_LEASE_DURATION_MS, DEFAULT_RENEW_INTERVAL_MS } from '../../agent/l2/heartbeat.ts';
import { heartbeatLeaseName } from '../../agent/l2/heartbeat-lease.ts';
import { kubeHeartbeatWatch, L2Ownership } from '../../agent/l2/ownership-controller.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { startTcpProxy, type TcpProxy } from '../kube/support/tcp-proxy.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';

const NS = 'kube-system';
const IPS = ['192.168.2.200', '192.168.2.201', 'fd00::200'];
const RENEW_DEADLINE_MS = DEFAULT_LEASE_DURATION_MS - DEFAULT_RENEW_INTERVAL_MS;

async function until<T>(what: string, f: () => T | undefined | false, ms = 6_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

/** Who answers what, checked at every change: an IP gained while another node answers it fails. */
class Answers {
  readonly current = new Map<string, Set<string>>();
  readonly log: { node: string; at: number; owned: string[] }[] = [];
  violations: string[] = [];

  record(node: string, owned: ReadonlySet<string>): void {
    for (const ip of owned) {
      for (const [other, set] of this.current) {
        if (other !== node && set.has(ip)) this.violations.push(`${ip}: ${node} while ${other} answers`);
      }
    }
    this.current.set(node, new Set(owned));
    this.log.push({ node, at: Date.now(), owned: [...owned].sort() });
  }

  owner(ip: string): string | undefined {
    return [...this.current].find(([, s]) => s.has(ip))?.[0];
  }
}

describe('L2 heartbeats against the test API server', () => {
  let server: TestApiServer;
  let proxy: TcpProxy;
  let viaProxy: string;
  const running: L2Ownership[] = [];
  const answers = new Answers();
  const metrics = new Registry();
  const restarts = metrics.counter('edgelb_kube_watch_restarts_total', 'restarts', ['resource']);
  const changes = metrics.counter('edgelb_l2_ownership_changes_total', 'changes');

  beforeAll(async () => {
    server = await startApiServer({ bookmarkIntervalMs: 200 });
    proxy = await startTcpProxy(server.host, server.port);
    viaProxy = join(server.dir, 'kubeconfig-proxy.yaml');
    writeFileSync(
      viaProxy,
      readFileSync(server.kubeconfigCert, 'utf8').replace(`:${server.port}`, `:${proxy.port}`),
    );
  });

  afterAll(async () => {
    for (const o of running) await o.stop();
    proxy?.stop();
    await server?.stop();
  });

  function node(name: string, kubeconfig: string): L2Ownership {
    const log = memoryLogger('error');
    const client = new KubeClient(loadKubeconfig({ path: kubeconfig }), { log, timeoutMs: 2_000 });
    const o = new L2Ownership({
      node: name,
      namespace: NS,
      leaseDurationMs: DEFAULT_LEASE_DURATION_MS,
      renewIntervalMs: DEFAULT_RENEW_INTERVAL_MS,
      store: kubeLeaseStore(client, NS, heartbeatLeaseName(name)),
      watch: kubeHeartbeatWatch({
        client,
        namespace: NS,
        clock: systemClock,
        random: Math.random,
        log,
        restarts,
        silenceMs: 2_000,
      }),
      clock: systemClock,
      log,
      changes,
      onOwnedChange: (s) => answers.record(name, s),
    });
    o.setCandidates(IPS.map((ip) => ({ ip, eligibleNodes: ['pi1', 'pi2'] })));
    running.push(o);
    o.start();
    return o;
  }

  test('the first node claims every IP; its Lease is accepted and renewed at most twice a second', async () => {
    const pi1 = node('pi1', viaProxy);
    await until('pi1 answers all', () => IPS.every((ip) => answers.owner(ip) === 'pi1'));
    const lease = server.get('coordination.k8s.io/v1', 'Lease', NS, 'edgelb-node-pi1');
    expect(lease.metadata.labels['edgelb.io/l2-heartbeat']).toBe('true');
    expect(lease.metadata.annotations['edgelb.io/l2-owned']).toBe([...IPS].sort().join(','));
    expect(lease.spec.holderIdentity).toBe('pi1');
    expect(lease.spec.leaseDurationSeconds).toBe(2);
    expect(lease.spec.renewTime).toMatch(/\.\d{6}Z$/);
    const puts = () =>
      server.requests.filter((r) => r.method === 'PUT' && r.path.includes('edgelb-node-pi1')).length;
    const before = puts();
    await Bun.sleep(3_000);
    const rate = (puts() - before) / 3;
    console.log(`heartbeat writes: ${rate.toFixed(2)}/s per node`);
    expect(rate).toBeLessThanOrEqual(2.05);
    expect(rate).toBeGreaterThanOrEqual(1.2); // renewing (the machine may be loaded)
    expect(pi1.snapshot().owned.map((o) => o.ip)).toEqual([...IPS].sort());
    expect(pi1.snapshot().lastError).toBe('');
  }, 15_000);

  test('a second node takes nothing from the live owner', async () => {
    const pi2 = node('pi2', server.kubeconfigCert);
    await until('pi2 sees pi1', () => pi2.snapshot().liveNodes.length === 2 || undefined);
    await Bun.sleep(1_500);
    expect(IPS.map((ip) => answers.owner(ip))).toEqual(IPS.map(() => 'pi1'));
    expect(pi2.snapshot().owned).toEqual([]);
  }, 10_000);

  test('the API server unreachable from the owner: it fences itself before pi2 takes over', async () => {
    const cutAt = Date.now();
    proxy.partition(true);
    const stoppedAt = await until('pi1 fences', () => {
      const e = answers.log.find((x) => x.node === 'pi1' && x.at >= cutAt && x.owned.length === 0);
      return e?.at;
    });
    const takenAt = await until(
      'pi2 answers all',
      () => IPS.every((ip) => answers.owner(ip) === 'pi2') && Date.now(),
    );
    console.log(
      `partition: pi1 fenced ${stoppedAt - cutAt} ms after the cut, pi2 answered ${takenAt - cutAt} ms after`,
    );
    expect(stoppedAt - cutAt).toBeLessThanOrEqual(RENEW_DEADLINE_MS + 250); // timer slack
    const firstTake = answers.log.find((x) => x.node === 'pi2' && x.at >= cutAt && x.owned.length > 0)!.at;
    expect(firstTake).toBeGreaterThanOrEqual(stoppedAt);
    // pi2 waited for pi1's Lease to expire on its own clock
    expect(firstTake - cutAt).toBeGreaterThanOrEqual(DEFAULT_LEASE_DURATION_MS - DEFAULT_RENEW_INTERVAL_MS);
    expect(firstTake - cutAt).toBeLessThanOrEqual(
      DEFAULT_LEASE_DURATION_MS + DEFAULT_RENEW_INTERVAL_MS + 500,
    );
    expect(answers.violations).toEqual([]);
    // healed: pi1 renews again and takes nothing back
    proxy.partition(false);
    const pi1 = running[0]!;
    await until('pi1 live again', () => pi1.snapshot().live && pi1.snapshot().liveNodes.length === 2, 8_000);
    await Bun.sleep(1_500);
    expect(IPS.map((ip) => answers.owner(ip))).toEqual(IPS.map(() => 'pi2'));
    expect(answers.violations).toEqual([]);
  }, 20_000);

  test('a clean stop releases the Lease and hands over at once', async () => {
    const pi2 = running[1]!;
    const stopAt = Date.now();
    await pi2.stop();
    const lease = server.get('coordination.k8s.io/v1', 'Lease', NS, 'edgelb-node-pi2');
    expect([lease.spec.holderIdentity, lease.metadata.annotations['edgelb.io/l2-owned']]).toEqual(['', '']);
    const takenAt = await until(
      'pi1 answers all',
      () => IPS.every((ip) => answers.owner(ip) === 'pi1') && Date.now(),
    );
    console.log(`clean stop: handed over in ${takenAt - stopAt} ms`);
    expect(takenAt - stopAt).toBeLessThan(1_000);
    expect(answers.violations).toEqual([]);
    expect(changes.get()).toBeGreaterThanOrEqual(IPS.length * 3);
  }, 10_000);
});
