/**
 * A two-hop lab for multihop tests (eBGP multihop, RFC 5883 BFD): the nodes sit on the node
 * LAN (192.168.2.0/24, fd00:2::/64, a bridge as in netns.ts), the router sits on the router
 * LAN (192.168.3.0/24, fd00:3::/64, a veth pair), and a forwarding namespace `gw` between
 * them (ip_forward=1, IPv6 forwarding on) is the only way across. Static routes: every node
 * reaches the router LAN through the gw at 192.168.2.1 / fd00:2::1, the router reaches the
 * node LAN through 192.168.3.2 / fd00:3::2. A packet sent with TTL 255 arrives with 254.
 *
 * Built on createLan(): the router's namespace carries the LAN id as its prefix, so
 * destroy() (and cleanStale() after a crashed run) deletes it with the rest; every process
 * spawned in the lab, also in the router, is stopped by PID. The returned object is a Lan,
 * so startFrr()/startFrrBfd()/startBfdMain() work on any of its hosts, 'router' included.
 */
import { createLan, type HostAddresses, type Lan, TOPOLOGY } from './netns.ts';
import { type Proc, run, start, waitFor } from './proc.ts';

export const TWO_HOP = {
  /** The router, two hops from the nodes. */
  router: { v4: '192.168.3.1', v6: 'fd00:3::1' },
  /** The forwarding namespace: its node-LAN side and its router-LAN side. */
  gw: { v4: '192.168.2.1', v6: 'fd00:2::1' },
  gwRouterSide: { v4: '192.168.3.2', v6: 'fd00:3::2' },
  nodeLan: { v4: '192.168.2.0/24', v6: 'fd00:2::/64' },
  routerLan: { v4: '192.168.3.0/24', v6: 'fd00:3::/64' },
} as const;

export const ROUTER = 'router';
const ROUTE_RETRY_MS = 5000;
export const GW = 'gw';

export interface TwoHopOptions {
  /** 1–5 lowercase letters/digits naming the test file (see netns.ts). */
  family: string;
  /** Nodes on the node LAN (default worker .10 and pi4 .11). */
  nodes?: Record<string, HostAddresses>;
}

export interface TwoHopLab extends Lan {
  /** The node hosts (not gw, not router). */
  nodes(): string[];
  /**
   * `ip link set eth0 down|up` inside a node (a silent death and its return). The kernel
   * flushes a route whose gateway sits on a link that goes down: up re-adds the node's
   * static routes toward the router LAN.
   */
  setLink(host: string, up: boolean): Promise<void>;
}

export async function createTwoHopLab(opts: TwoHopOptions): Promise<TwoHopLab> {
  const nodes = opts.nodes ?? { worker: TOPOLOGY.worker, pi4: TOPOLOGY.pi4 };
  if (ROUTER in nodes || GW in nodes) throw new Error(`node names ${ROUTER} and ${GW} are the lab's own`);
  const base = await createLan({ family: opts.family, hosts: { [GW]: TWO_HOP.gw } });
  const routerNs = `${base.id}-${ROUTER}`;
  const procs: Proc[] = [];
  const nodeNames: string[] = [];
  let destroyed = false;
  const sh = (cmd: string[]) => run(cmd, { timeoutMs: 10_000 });
  const gwNs = base.ns(GW);

  const routeViaGw = async (ns: string, replace = false) => {
    const verb = replace ? 'replace' : 'add';
    const routes = [
      ['route', verb, TWO_HOP.routerLan.v4, 'via', TWO_HOP.gw.v4],
      ['-6', 'route', verb, TWO_HOP.routerLan.v6, 'via', TWO_HOP.gw.v6],
    ];
    for (const r of routes) {
      // Right after a link comes up the connected IPv6 route may not be back yet: bounded retry.
      await waitFor(
        `route ${r.join(' ')} in ${ns}`,
        async () => (await run(['ip', '-n', ns, ...r], { timeoutMs: 10_000, allowFail: true })).code === 0,
        { timeoutMs: ROUTE_RETRY_MS, intervalMs: 20 },
      );
    }
  };

  const lab: TwoHopLab = {
    id: base.id,
    dir: base.dir,
    ns: (host) => (host === ROUTER ? routerNs : base.ns(host)),
    addr: (host) => (host === ROUTER ? TWO_HOP.router : base.addr(host)),
    hosts: () => [...base.hosts(), ROUTER],
    nodes: () => [...nodeNames],
    async setLink(host, up) {
      if (!nodeNames.includes(host)) throw new Error(`${host} is not a node of the lab`);
      const ns = base.ns(host);
      await sh(['ip', '-n', ns, 'link', 'set', 'eth0', up ? 'up' : 'down']);
      if (up) await routeViaGw(ns, true);
    },
    async addHost(host, addrs) {
      if (host === ROUTER) throw new Error(`host ${host} exists`);
      await base.addHost(host, addrs);
      nodeNames.push(host);
      // IPv6 addresses are flushed on link down by default: a silent death must keep them.
      await sh([
        'ip',
        'netns',
        'exec',
        base.ns(host),
        'sysctl',
        '-qw',
        'net.ipv6.conf.eth0.keep_addr_on_down=1',
      ]);
      await routeViaGw(base.ns(host));
    },
    exec(host, cmd, o = {}) {
      if (host !== ROUTER) return base.exec(host, cmd, o);
      return run(['ip', 'netns', 'exec', routerNs, ...cmd], { timeoutMs: o.timeoutMs ?? 15_000, ...o });
    },
    spawn(host, cmd, o) {
      if (host !== ROUTER) return base.spawn(host, cmd, o);
      const p = start(['ip', 'netns', 'exec', routerNs, ...cmd], o);
      procs.push(p);
      return p;
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await Promise.all(procs.map((p) => p.stop(2000)));
      // The router namespace starts with the LAN id: base.destroy() deletes it too.
      await base.destroy();
    },
  };

  try {
    await sh(['ip', 'netns', 'add', routerNs]);
    await sh(['ip', '-n', routerNs, 'link', 'set', 'lo', 'up']);
    for (const ns of [routerNs, gwNs]) {
      await sh([
        'ip',
        'netns',
        'exec',
        ns,
        'sysctl',
        '-qw',
        'net.ipv6.conf.all.disable_ipv6=0',
        'net.ipv6.conf.default.disable_ipv6=0',
        'net.ipv6.conf.all.accept_dad=0',
        'net.ipv6.conf.default.accept_dad=0',
      ]);
    }
    await sh([
      'ip',
      'netns',
      'exec',
      gwNs,
      'sysctl',
      '-qw',
      'net.ipv4.ip_forward=1',
      'net.ipv6.conf.all.forwarding=1',
    ]);
    await sh([
      'ip',
      '-n',
      gwNs,
      'link',
      'add',
      'eth1',
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      routerNs,
    ]);
    await sh(['ip', '-n', gwNs, 'addr', 'add', `${TWO_HOP.gwRouterSide.v4}/24`, 'dev', 'eth1']);
    await sh([
      'ip',
      '-n',
      gwNs,
      '-6',
      'addr',
      'add',
      `${TWO_HOP.gwRouterSide.v6}/64`,
      'dev',
      'eth1',
      'nodad',
    ]);
    await sh(['ip', '-n', gwNs, 'link', 'set', 'eth1', 'up']);
    await sh(['ip', '-n', routerNs, 'addr', 'add', `${TWO_HOP.router.v4}/24`, 'dev', 'eth0']);
    await sh(['ip', '-n', routerNs, '-6', 'addr', 'add', `${TWO_HOP.router.v6}/64`, 'dev', 'eth0', 'nodad']);
    await sh(['ip', '-n', routerNs, 'link', 'set', 'eth0', 'up']);
    await sh(['ip', '-n', routerNs, 'route', 'add', TWO_HOP.nodeLan.v4, 'via', TWO_HOP.gwRouterSide.v4]);
    await sh([
      'ip',
      '-n',
      routerNs,
      '-6',
      'route',
      'add',
      TWO_HOP.nodeLan.v6,
      'via',
      TWO_HOP.gwRouterSide.v6,
    ]);
    for (const [host, addrs] of Object.entries(nodes)) await lab.addHost(host, addrs);
  } catch (err) {
    await lab.destroy();
    throw err;
  }
  return lab;
}
