/**
 * L2 mode end to end (issue 15): three agents in kubernetes mode on a flat LAN of network
 * namespaces (test/support/l2-lab.ts), a pool carved from the LAN's own subnets, one
 * L2AnnouncementPolicy, the nodes accepting traffic for the IPs as kube-proxy does. The
 * witnesses are independent of the agent: the client's kernel (TCP, its neighbour cache, never
 * flushed) and a client that reports every MAC answering each ARP request / Neighbor
 * Solicitation. Default L2 settings throughout (lease 2 s, renew 0.5 s).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { missing } from '../support/env.ts';
import {
  dualStackService,
  endpointSlice,
  L2_NODES,
  type L2Lab,
  type L2Node,
  SERVICE_PORT,
  serviceIPs,
  startL2Lab,
} from '../support/l2-lab.ts';
import { sleep, waitFor } from '../support/proc.ts';

const why = missing({ root: true, tools: ['ip'] });
/** Three dual-stack Services: 3 IPv4 + 3 IPv6 addresses, spread over the three nodes. */
const SERVICES = ['web', 'git', 'media'] as const;

describe.skipIf(!!why)('L2 mode: ARP/NDP from one owner per IP, failover', () => {
  let lab: L2Lab;
  /** Service name -> [IPv4, IPv6]. */
  const ips = new Map<string, string[]>();
  const allIPs = () => [...ips.values()].flat();

  async function neighbour(ip: string): Promise<string | undefined> {
    const r = await lab.lan.exec('client', ['ip', 'neigh', 'show', ip, 'dev', 'eth0'], { allowFail: true });
    return /lladdr ([0-9a-f:]{17})/.exec(r.stdout)?.[1];
  }

  /** No request, from `since` on, was answered by two MACs. */
  function expectNoConflicts(since = 0): void {
    expect(lab.client.conflicts.filter((a) => a.at >= since)).toEqual([]);
  }

  beforeAll(async () => {
    lab = await startL2Lab('e2el');
    // The home-lab order: edgelb, the pool and the policy first, Services later. Ownership is
    // sticky (nothing is taken from a live owner), so IPs that appear while only one node is
    // live would all stay on it.
    for (const n of L2_NODES) lab.startAgent(n);
    await lab.waitAllLive();
    for (const s of SERVICES) lab.api.create(dualStackService(s));
    for (const s of SERVICES) {
      const got = await waitFor(
        `${s} gets two IPs`,
        () => {
          const v = serviceIPs(lab.api, s);
          return v.length === 2 ? v : undefined;
        },
        { timeoutMs: 30_000 },
      );
      ips.set(s, got);
    }
  }, 90_000);

  afterAll(async () => {
    await lab?.destroy();
  }, 30_000);

  test('exactly one MAC answers for each IP (ARP and NDP), the IPs are spread over the nodes, the client connects', async () => {
    const owners = new Map<string, L2Node>();
    for (const ip of allIPs()) owners.set(ip, await lab.waitOwner(ip));
    // A dual-stack Service's two IPs move together.
    for (const [v4, v6] of ips.values()) expect(owners.get(v6!)).toBe(owners.get(v4!)!);
    expect(new Set(owners.values()).size).toBeGreaterThanOrEqual(2);
    for (const ip of allIPs()) {
      const c = await lab.client.connect(ip, SERVICE_PORT, { timeoutMs: 5000 });
      expect(c.node).toBe(owners.get(ip)!);
      expect(await neighbour(ip)).toBe(lab.macs.get(owners.get(ip)!)!);
    }
    // /status of each owner lists its IPs on eth0.
    for (const n of new Set(owners.values())) {
      const s = await lab.status(n);
      const mine = allIPs().filter((ip) => owners.get(ip) === n);
      expect(s?.l2?.owned.map((o) => o.ip).sort()).toEqual(mine.sort());
      expect(new Set(s?.l2?.owned.map((o) => o.interface))).toEqual(new Set(['eth0']));
    }
    // Each IP's Event names the node and the interface, like MetalLB's nodeAssigned.
    for (const ip of allIPs()) {
      const note = `announcing ${ip} from node ${owners.get(ip)} on eth0`;
      await waitFor(`Event "${note}"`, () =>
        lab.api
          .list('events.k8s.io/v1', 'Event', 'default')
          .some((e) => e.reason === 'L2Announcing' && e.note === note),
      );
    }
    expectNoConflicts();
  }, 60_000);

  for (const family of [4, 6] as const) {
    test(`IPv${family}: the owner dies silently (eth0 down, SIGKILL); the client reaches the IP through another node within 3 s, its neighbour cache unflushed`, async () => {
      const ip = ips.get('web')![family === 4 ? 0 : 1]!;
      const owner = await lab.waitOwner(ip);
      // The client's neighbour entry points at the owner and is in use.
      expect((await lab.client.connect(ip, SERVICE_PORT)).node).toBe(owner);
      expect(await neighbour(ip)).toBe(lab.macs.get(owner)!);
      await sleep(1100); // past the kernel's ARP locktime, as in a LAN where traffic flows
      const t0 = await lab.die(owner);
      const c = await lab.client.connect(ip, SERVICE_PORT, { not: owner, timeoutMs: 10_000 });
      const took = c.at - t0;
      console.log(
        `IPv${family} silent death of ${owner}: ${c.node} answers after ${took} ms (${c.attempts} attempts)`,
      );
      expect(c.node).not.toBeNull();
      expect(c.node).not.toBe(owner);
      expect(took).toBeLessThan(3000);
      expect(await neighbour(ip)).toBe(lab.macs.get(c.node as L2Node)!);
      expectNoConflicts();
      await lab.revive(owner);
      await waitFor(`${owner} live again`, async () => (await lab.status(owner))?.l2?.ownership?.live, {
        timeoutMs: 20_000,
      });
      // Back and live, it takes nothing from the live new owner.
      const back = Date.now();
      await sleep(1500);
      for (const a of lab.client.since(back).filter((r) => r.ip === ip))
        expect(a.macs).toEqual([lab.macs.get(c.node as L2Node)!]);
    }, 60_000);
  }

  test('SIGTERM of an owner hands over within 1 s; the node coming back does not take its IPs back', async () => {
    const ip = ips.get('git')![0]!;
    const owner = await lab.waitOwner(ip);
    const theirs = allIPs().filter((x) => lab.owner(x) === owner);
    const t0 = Date.now();
    lab.agents.get(owner)!.signal('SIGTERM');
    const next = await lab.waitOwner(ip, (n) => n !== owner, 5000);
    const c = await lab.client.connect(ip, SERVICE_PORT, { not: owner, timeoutMs: 5000 });
    expect(c.node).toBe(next);
    console.log(`SIGTERM of ${owner}: ${c.node} answers after ${c.at - t0} ms`);
    expect(c.at - t0).toBeLessThan(1000);
    expect(await lab.agents.get(owner)!.exited).toBe(0);
    // Back again: it renews its heartbeat, but the IPs stay where they are. Every IP it had
    // must have its new owner before the comparison (the handover of the others may lag).
    const takers = new Map<string, string>();
    for (const x of theirs) takers.set(x, await lab.waitOwner(x, (n) => n !== owner, 5000));
    lab.startAgent(owner);
    await waitFor(`${owner} live again`, async () => (await lab.status(owner))?.l2?.ownership?.live, {
      timeoutMs: 20_000,
    });
    const back = Date.now();
    await sleep(3000);
    for (const x of theirs) {
      for (const a of lab.client.since(back).filter((r) => r.ip === x))
        expect(a.macs).toEqual([lab.macs.get(takers.get(x) as L2Node)!]);
    }
    expect((await lab.status(owner))?.l2?.owned).toEqual([]);
    expectNoConflicts();
  }, 60_000);

  test('externalTrafficPolicy: Local follows the ready endpoint', async () => {
    lab.api.create(dualStackService('local', { etpLocal: true }));
    const [v4, v6] = await waitFor(
      'local gets two IPs',
      () => {
        const v = serviceIPs(lab.api, 'local');
        return v.length === 2 ? v : undefined;
      },
      { timeoutMs: 20_000 },
    );
    lab.api.create(endpointSlice('local', ['pi4']));
    expect(await lab.waitOwner(v4!, (n) => n === 'pi4', 10_000)).toBe('pi4');
    expect(await lab.waitOwner(v6!, (n) => n === 'pi4', 10_000)).toBe('pi4');
    expect((await lab.client.connect(v4!, SERVICE_PORT)).node).toBe('pi4');
    const moved = endpointSlice('local', ['worker']);
    const live = lab.api.get('discovery.k8s.io/v1', 'EndpointSlice', 'default', moved.metadata.name);
    lab.api.update({ ...live, endpoints: moved.endpoints });
    expect(await lab.waitOwner(v4!, (n) => n === 'worker', 10_000)).toBe('worker');
    expect(await lab.waitOwner(v6!, (n) => n === 'worker', 10_000)).toBe('worker');
    const c = await lab.client.connect(v4!, SERVICE_PORT, { not: 'pi4' });
    expect(c.node).toBe('worker');
    expectNoConflicts();
  }, 60_000);

  test('the API server unreachable from one node: it stops answering, and no IP ever has two answering nodes', async () => {
    const ip = ips.get('media')![0]!;
    const owner = await lab.waitOwner(ip);
    const theirs = allIPs().filter((x) => lab.owner(x) === owner);
    expect(theirs.length).toBeGreaterThan(0);
    const t0 = Date.now();
    await lab.cutApi(owner, true);
    try {
      for (const x of theirs) {
        const n = await lab.waitOwner(x, (o) => o !== owner, 10_000);
        expect(n).not.toBe(owner);
      }
      await sleep(3000);
      // Cut off, it answers nothing at all.
      const after = lab.client.since(Date.now() - 2000);
      expect(after.length).toBeGreaterThan(0);
      for (const a of after) expect(a.macs).not.toContain(lab.macs.get(owner)!);
    } finally {
      await lab.cutApi(owner, false);
    }
    await sleep(3000);
    expectNoConflicts(t0);
    // Every IP still has exactly one owner.
    for (const x of allIPs()) await lab.waitOwner(x, undefined, 5000);
  }, 60_000);

  test('over the whole run, no request was ever answered by two nodes', () => {
    expect(lab.client.history.length).toBeGreaterThan(100);
    expectNoConflicts();
  });

  test('the witness does see two answering MACs when there are (a non-owner kernel answering too: arp_ignore=0, a proxy NDP entry)', async () => {
    const [v4, v6] = ips.get('web')!;
    const owner = await lab.waitOwner(v4!);
    const other = L2_NODES.find((n) => n !== owner)!;
    const from = lab.client.conflicts.length;
    // Linux answers for a proxy NDP entry only while forwarding; proxy_delay 0: at once.
    await lab.lan.exec(other, [
      'sysctl',
      '-qw',
      'net.ipv4.conf.all.arp_ignore=0',
      'net.ipv6.conf.eth0.proxy_ndp=1',
      'net.ipv6.conf.all.forwarding=1',
      'net.ipv6.neigh.eth0.proxy_delay=0',
    ]);
    await lab.lan.exec(other, ['ip', '-6', 'neigh', 'add', 'proxy', v6!, 'dev', 'eth0']);
    try {
      for (const ip of [v4!, v6!]) {
        const seen = await waitFor(
          `a request for ${ip} answered by two MACs`,
          () => lab.client.conflicts.slice(from).find((a) => a.ip === ip),
          { timeoutMs: 5000 },
        );
        expect(seen.macs).toEqual([lab.macs.get(owner)!, lab.macs.get(other)!].sort());
      }
    } finally {
      await lab.lan.exec(other, ['ip', '-6', 'neigh', 'del', 'proxy', v6!, 'dev', 'eth0'], {
        allowFail: true,
      });
      await lab.lan.exec(other, [
        'sysctl',
        '-qw',
        'net.ipv4.conf.all.arp_ignore=1',
        'net.ipv6.conf.eth0.proxy_ndp=0',
        'net.ipv6.conf.all.forwarding=0',
        'net.ipv6.neigh.eth0.proxy_delay=80',
      ]);
    }
  }, 30_000);
});
