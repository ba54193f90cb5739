/**
 * A standalone FRR bgpd (no zebra, no kernel routes) inside a LAN namespace, with a config
 * generator and parsed `vtysh ... json` queries. Polls are bounded; nothing sleeps blindly.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lan } from './netns.ts';
import { type Proc, run, waitFor } from './proc.ts';

export const BGPD = '/usr/lib/frr/bgpd';
export const ZEBRA = '/usr/lib/frr/zebra';

export interface FrrNeighbor {
  address: string;
  remoteAs: number;
  password?: string;
  passive?: boolean;
  /** keepalive, hold (FRR default traditional: 60/180). */
  timers?: { keepalive: number; hold: number };
  connectRetrySeconds?: number;
  /** Activate IPv6 unicast for this neighbour (default true). */
  ipv6?: boolean;
  /** false: IPv4 unicast off for this neighbour (FRR activates it for every neighbour by default). */
  ipv4?: boolean;
  /** false: no graceful-restart helper for this neighbour (its routes go at once on session loss). */
  gracefulRestart?: boolean;
}

export interface FrrConfig {
  asn: number;
  routerId: string;
  neighbors: FrrNeighbor[];
  /** maximum-paths for eBGP and iBGP (default 8). */
  maximumPaths?: number;
  /** Seconds FRR keeps stale routes of a graceful-restart peer (default 360). */
  stalePathSeconds?: number;
  /** Extra lines inside `router bgp`. */
  extra?: string[];
  /**
   * Run zebra next to bgpd (default true). Without zebra, bgpd cannot see connected
   * interfaces, so every eBGP next hop is "inaccessible" and no route becomes valid.
   */
  zebra?: boolean;
}

export function frrConfig(c: FrrConfig): string {
  const mp = c.maximumPaths ?? 8;
  const l: string[] = [
    'frr defaults traditional',
    'hostname router',
    'log stdout debugging',
    'debug bgp neighbor-events',
    '!',
    // eBGP requires a policy with the traditional defaults: accept everything explicitly.
    'route-map ACCEPT-ALL permit 10',
    'exit',
    '!',
    `router bgp ${c.asn}`,
    ` bgp router-id ${c.routerId}`,
    ' no bgp network import-check',
    ' bgp graceful-restart',
    ` bgp graceful-restart stalepath-time ${c.stalePathSeconds ?? 360}`,
    ' bgp bestpath as-path multipath-relax',
  ];
  for (const n of c.neighbors) {
    l.push(` neighbor ${n.address} remote-as ${n.remoteAs}`);
    if (n.password) l.push(` neighbor ${n.address} password ${n.password}`);
    if (n.passive ?? true) l.push(` neighbor ${n.address} passive`);
    if (n.timers) l.push(` neighbor ${n.address} timers ${n.timers.keepalive} ${n.timers.hold}`);
    if (n.connectRetrySeconds) l.push(` neighbor ${n.address} timers connect ${n.connectRetrySeconds}`);
    if (n.gracefulRestart === false) l.push(` neighbor ${n.address} graceful-restart-disable`);
  }
  for (const line of c.extra ?? []) l.push(` ${line}`);
  for (const af of ['ipv4', 'ipv6'] as const) {
    l.push(` address-family ${af} unicast`, `  maximum-paths ${mp}`, `  maximum-paths ibgp ${mp}`);
    for (const n of c.neighbors) {
      if (af === 'ipv6' && n.ipv6 === false) continue;
      if (af === 'ipv4' && n.ipv4 === false) {
        l.push(`  no neighbor ${n.address} activate`);
        continue;
      }
      if (af === 'ipv6') l.push(`  neighbor ${n.address} activate`);
      l.push(
        `  neighbor ${n.address} route-map ACCEPT-ALL in`,
        `  neighbor ${n.address} route-map ACCEPT-ALL out`,
      );
    }
    l.push(' exit-address-family');
  }
  l.push('exit', '');
  return l.join('\n');
}

/** One path of a prefix as FRR shows it (`show bgp <afi> unicast <prefix> json`). */
export interface FrrPath {
  peer: string;
  nextHop: string;
  asPath: string;
  communities: string[];
  largeCommunities: string[];
  localPref: number | undefined;
  /** MULTI_EXIT_DISC ("metric" in FRR's JSON). */
  med: number | undefined;
  stale: boolean;
  best: boolean;
  multipath: boolean;
  valid: boolean;
}

export interface FrrNeighborState {
  state: string;
  remoteAs: number;
  localAs: number;
  hostname?: string;
  connectionsEstablished: number;
  connectionsDropped: number;
  lastReset?: string;
  raw: Record<string, unknown>;
}

export interface Frr {
  readonly proc: Proc;
  readonly zebra: Proc | undefined;
  readonly dir: string;
  vtysh(...cmds: string[]): Promise<string>;
  json<T = unknown>(cmd: string): Promise<T>;
  /** Prefixes FRR holds for an address family, with the number of paths each. */
  prefixes(afi: 'ipv4' | 'ipv6'): Promise<Map<string, number>>;
  /** Every path of one prefix ([] if absent). */
  paths(prefix: string): Promise<FrrPath[]>;
  neighbor(address: string): Promise<FrrNeighborState | undefined>;
  /** Prefixes received from a neighbour in an address family (summary pfxRcd). */
  received(address: string, afi?: 'ipv4' | 'ipv6'): Promise<number>;
  waitState(address: string, state: string, timeoutMs?: number): Promise<FrrNeighborState>;
  waitPaths(prefix: string, pred: (p: FrrPath[]) => boolean, timeoutMs?: number): Promise<FrrPath[]>;
  /** Summary table and the tail of bgpd's log, for failure messages. */
  diagnose(): Promise<string>;
  /** Runs `configure terminal` + `router bgp ASN` + lines. */
  configure(lines: string[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startFrr(lan: Lan, host: string, cfg: FrrConfig): Promise<Frr> {
  const dir = join(lan.dir, `frr-${host}`);
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'bgpd.conf');
  writeFileSync(conf, frrConfig(cfg));
  const zserv = join(dir, 'zserv.api');
  let zebra: Proc | undefined;
  if (cfg.zebra ?? true) {
    writeFileSync(join(dir, 'zebra.conf'), 'hostname router\n');
    zebra = lan.spawn(
      host,
      [ZEBRA, '-u', 'root', '-g', 'frrvty', '-P', '0', '-f', join(dir, 'zebra.conf')].concat([
        '-i',
        join(dir, 'zebra.pid'),
        '-z',
        zserv,
        '--vty_socket',
        dir,
      ]),
      { name: `zebra@${host}`, logPath: join(dir, 'zebra.log') },
    );
    await waitFor('zebra socket', () => existsSync(zserv), { timeoutMs: 10_000 }).catch((err) => {
      throw new Error(`${err.message}\nzebra log:\n${zebra?.log().slice(-2000)}`);
    });
  }
  const proc = lan.spawn(
    host,
    [BGPD, ...(zebra ? ['-z', zserv] : ['-Z', '-n']), '-S', '-P', '0', '-f', conf].concat([
      '-i',
      join(dir, 'bgpd.pid'),
      '--vty_socket',
      dir,
    ]),
    { name: `bgpd@${host}`, logPath: join(dir, 'bgpd.log') },
  );

  const vtysh = async (...cmds: string[]) => {
    const args = ['vtysh', '--vty_socket', dir, '-d', 'bgpd'];
    for (const c of cmds) args.push('-c', c);
    const r = await run(args, { timeoutMs: 20_000, allowFail: true });
    if (r.code !== 0) throw new Error(`vtysh ${cmds.join(' / ')}: ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  const json = async <T>(cmd: string) => JSON.parse(await vtysh(cmd)) as T;

  // A failed wait says why: FRR's own view (state, last reset, NOTIFICATIONs) and its log.
  const explain = async (err: Error): Promise<never> => {
    throw new Error(`${err.message}\n${await frr.diagnose()}`);
  };
  const frr: Frr = {
    proc,
    zebra,
    dir,
    vtysh,
    json,
    async prefixes(afi) {
      const d = await json<{ routes?: Record<string, unknown[]> }>(`show bgp ${afi} unicast json`);
      return new Map(Object.entries(d.routes ?? {}).map(([p, paths]) => [p, paths.length]));
    },
    async paths(prefix) {
      const afi = prefix.includes(':') ? 'ipv6' : 'ipv4';
      const d = await json<{ paths?: RawPath[] }>(`show bgp ${afi} unicast ${prefix} json`);
      return (d.paths ?? []).map(toPath);
    },
    async neighbor(address) {
      const d = await json<Record<string, Record<string, unknown>>>(`show bgp neighbors ${address} json`);
      const n = d[address];
      if (!n || typeof n.bgpState !== 'string') return undefined;
      return {
        state: n.bgpState,
        remoteAs: Number(n.remoteAs),
        localAs: Number(n.localAs),
        hostname: typeof n.hostname === 'string' ? n.hostname : undefined,
        connectionsEstablished: Number(n.connectionsEstablished ?? 0),
        connectionsDropped: Number(n.connectionsDropped ?? 0),
        lastReset: typeof n.lastResetDueTo === 'string' ? n.lastResetDueTo : undefined,
        raw: n,
      };
    },
    async received(address, afi = 'ipv4') {
      const d = await json<{ peers?: Record<string, { pfxRcd?: number }> }>(
        `show bgp ${afi} unicast summary json`,
      );
      return d.peers?.[address]?.pfxRcd ?? 0;
    },
    waitState(address, state, timeoutMs = 15_000) {
      return waitFor(
        `FRR neighbour ${address} ${state}`,
        async () => {
          if (!proc.running()) throw new Error(`bgpd exited: ${proc.log().slice(-2000)}`);
          const n = await frr.neighbor(address);
          return n?.state === state ? n : undefined;
        },
        { timeoutMs },
      ).catch(explain);
    },
    waitPaths(prefix, pred, timeoutMs = 10_000) {
      return waitFor(
        `FRR paths of ${prefix}`,
        async () => {
          const p = await frr.paths(prefix);
          return pred(p) ? p : undefined;
        },
        { timeoutMs },
      ).catch(explain);
    },
    diagnose: async () => {
      const sum = await vtysh('show bgp summary').catch((e: Error) => e.message);
      return `${sum}\nbgpd log (tail):\n${proc.log().split('\n').slice(-25).join('\n')}`;
    },
    async configure(lines) {
      await vtysh('configure terminal', `router bgp ${cfg.asn}`, ...lines);
    },
    async stop() {
      await proc.stop(3000);
      await zebra?.stop(3000);
    },
  };
  await waitFor('bgpd vty socket', async () => (await vtysh('show bgp summary json')).length > 0, {
    timeoutMs: 10_000,
  }).catch((err) => {
    throw new Error(`${err.message}\nbgpd log:\n${proc.log().slice(-2000)}`);
  });
  return frr;
}

interface RawPath {
  aspath?: { string?: string; length?: number };
  community?: { string?: string };
  largeCommunity?: { string?: string };
  locPrf?: number;
  metric?: number;
  localpref?: number;
  nexthops?: { ip?: string; scope?: string }[];
  peer?: { peerId?: string };
  stale?: boolean;
  bestpath?: { overall?: boolean };
  multipath?: boolean;
  valid?: boolean;
}

function toPath(r: RawPath): FrrPath {
  const words = (s: string | undefined) => (s ? s.split(' ').filter(Boolean) : []);
  const global = r.nexthops?.find((n) => n.scope !== 'link-local') ?? r.nexthops?.[0];
  return {
    peer: r.peer?.peerId ?? '',
    nextHop: global?.ip ?? '',
    // FRR prints an empty (iBGP) AS path as "Local".
    asPath: r.aspath?.length === 0 ? '' : (r.aspath?.string ?? ''),
    communities: words(r.community?.string),
    largeCommunities: words(r.largeCommunity?.string),
    localPref: r.locPrf ?? r.localpref,
    med: r.metric,
    stale: r.stale === true,
    best: r.bestpath?.overall === true,
    multipath: r.multipath === true,
    valid: r.valid === true,
  };
}
