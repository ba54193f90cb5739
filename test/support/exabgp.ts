/**
 * ExaBGP 4 inside a LAN namespace, as a receiver (passive; an API process appends every
 * received message as JSON to a file, which routes() folds into a RIB) or an announcer
 * (static routes with explicit next hops).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lan } from './netns.ts';
import { type Proc, waitFor } from './proc.ts';

export interface ExaNeighbor {
  address: string;
  remoteAs: number;
  password?: string;
  passive?: boolean;
  holdSeconds?: number;
}

export interface ExaConfig {
  asn: number;
  routerId: string;
  localAddress: string;
  neighbors: ExaNeighbor[];
  /**
   * Announcer mode: static routes sent to every neighbour with these next hops (ExaBGP 4.2's
   * `next-hop self` sends 0.0.0.0 in MP_REACH for IPv6 over an IPv4 session, which FRR rejects).
   */
  announce?: {
    v4?: string[];
    v6?: string[];
    nextHopV4: string;
    nextHopV6?: string;
    /** Attached to every route: "65001:100" and "65001:1:2" forms. */
    communities?: string[];
    largeCommunities?: string[];
  };
  /** Receiver mode: listen on localAddress:179 (default true without announce). */
  listen?: boolean;
  /** Advertise graceful restart with this restart time (default: no GR capability). */
  gracefulRestartSeconds?: number;
}

/** dumpFile: where the receiver's API process appends what ExaBGP hands it. */
export function exabgpConfig(c: ExaConfig, dumpFile: string): string {
  const l: string[] = [];
  const receiver = !c.announce;
  // Not `exec cat` (nor a script doing it): ExaBGP then declares the process dead at once.
  if (receiver) l.push('process dump {', `  run /bin/sh -c "cat >> ${dumpFile}";`, '  encoder json;', '}');
  for (const n of c.neighbors) {
    l.push(
      `neighbor ${n.address} {`,
      `  router-id ${c.routerId};`,
      `  local-address ${c.localAddress};`,
      `  local-as ${c.asn};`,
      `  peer-as ${n.remoteAs};`,
      `  hold-time ${n.holdSeconds ?? 9};`,
      `  passive ${(n.passive ?? receiver) ? 'true' : 'false'};`,
      '  family { ipv4 unicast; ipv6 unicast; }',
      `  capability { route-refresh; ${c.gracefulRestartSeconds ? `graceful-restart ${c.gracefulRestartSeconds};` : ''} }`,
    );
    if (n.password) l.push(`  md5-password "${n.password}";`);
    if (receiver) {
      l.push('  api { processes [ dump ]; receive { parsed; update; notification; } neighbor-changes; }');
    } else {
      l.push('  static {');
      const a = c.announce;
      let attrs = '';
      if (a?.communities?.length) attrs += ` community [ ${a.communities.join(' ')} ]`;
      if (a?.largeCommunities?.length) attrs += ` large-community [ ${a.largeCommunities.join(' ')} ]`;
      for (const p of a?.v4 ?? []) l.push(`    route ${p} next-hop ${a?.nextHopV4}${attrs};`);
      for (const p of a?.v6 ?? []) l.push(`    route ${p} next-hop ${a?.nextHopV6}${attrs};`);
      l.push('  }');
    }
    l.push('}');
  }
  return `${l.join('\n')}\n`;
}

export interface ExaRoute {
  prefix: string;
  peer: string;
  nextHop: string;
  asPath: string;
  communities: string[];
  largeCommunities: string[];
  localPref: number | undefined;
}

export interface ExaBgp {
  readonly proc: Proc;
  readonly dir: string;
  /** Current routes per prefix (last announce wins, withdraws remove), from the API dump. */
  routes(): Map<string, ExaRoute[]>;
  /** Last neighbour state seen ('up', 'down', 'connected', ...). */
  state(peer: string): string | undefined;
  /** Count of End-of-RIB markers received from a peer. */
  eors(peer: string): number;
  waitUp(peer: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startExaBgp(lan: Lan, host: string, cfg: ExaConfig, tag = 'exabgp'): Promise<ExaBgp> {
  const dir = join(lan.dir, `${tag}-${host}`);
  mkdirSync(dir, { recursive: true });
  const dump = join(dir, 'received.ndjson');
  writeFileSync(dump, '');
  const conf = join(dir, 'exabgp.conf');
  writeFileSync(conf, exabgpConfig(cfg, dump));
  const listen = cfg.listen ?? !cfg.announce;
  const env: Record<string, string> = {
    exabgp_daemon_user: 'root',
    exabgp_daemon_daemonize: 'false',
    exabgp_api_cli: 'false',
    exabgp_log_destination: 'stdout',
    exabgp_tcp_bind: listen ? cfg.localAddress : '',
    exabgp_tcp_port: '179',
  };
  const proc = lan.spawn(host, ['exabgp', '--env', '/dev/null', conf], {
    name: `exabgp@${host}`,
    logPath: join(dir, 'exabgp.log'),
    env,
  });

  const read = () => parseDump(existsSync(dump) ? readFileSync(dump, 'utf8') : '');
  const exa: ExaBgp = {
    proc,
    dir,
    routes: () => read().rib,
    state: (peer) => read().states.get(peer),
    eors: (peer) => read().eors.get(peer) ?? 0,
    async waitUp(peer, timeoutMs = 15_000) {
      await waitFor(
        `ExaBGP neighbour ${peer} up`,
        () => {
          if (!proc.running()) throw new Error(`exabgp exited: ${proc.log().slice(-2000)}`);
          return exa.state(peer) === 'up';
        },
        { timeoutMs },
      );
    },
    stop: () => proc.stop(3000),
  };
  return exa;
}

interface Parsed {
  rib: Map<string, ExaRoute[]>;
  states: Map<string, string>;
  eors: Map<string, number>;
}

type Json = Record<string, unknown>;

/** Folds ExaBGP's JSON API stream (encoder json, parsed updates) into a RIB. */
export function parseDump(text: string): Parsed {
  const rib = new Map<string, ExaRoute[]>();
  const states = new Map<string, string>();
  const eors = new Map<string, number>();
  for (const line of text.split('\n')) {
    let m: Json;
    try {
      m = JSON.parse(line) as Json;
    } catch {
      continue;
    }
    const nb = m.neighbor as Json | undefined;
    const peer = String((nb?.address as Json | undefined)?.peer ?? '');
    if (m.type === 'state' && nb) {
      states.set(peer, String(nb.state));
      // Like a router without graceful restart: a session that goes down takes its routes along.
      if (nb.state === 'down') for (const prefix of [...rib.keys()]) drop(rib, prefix, peer);
      continue;
    }
    if (m.type !== 'update' || !nb) continue;
    const msg = nb.message as Json | undefined;
    if (msg?.eor) {
      eors.set(peer, (eors.get(peer) ?? 0) + 1);
      continue;
    }
    const upd = msg?.update as Json | undefined;
    if (!upd) continue;
    const attr = (upd.attribute ?? {}) as Json;
    const withdraw = (upd.withdraw ?? {}) as Record<string, { nlri: string }[]>;
    for (const list of Object.values(withdraw)) {
      for (const { nlri } of list) drop(rib, nlri, peer);
    }
    const announce = (upd.announce ?? {}) as Record<string, Record<string, { nlri: string }[]>>;
    for (const byNextHop of Object.values(announce)) {
      for (const [nextHop, list] of Object.entries(byNextHop)) {
        for (const { nlri } of list) {
          drop(rib, nlri, peer);
          const paths = rib.get(nlri) ?? [];
          paths.push({
            prefix: nlri,
            peer,
            nextHop,
            asPath: ((attr['as-path'] as number[] | undefined) ?? []).join(' '),
            communities: ((attr.community as number[][] | undefined) ?? []).map((c) => c.join(':')),
            largeCommunities: ((attr['large-community'] as number[][] | undefined) ?? []).map((c) =>
              c.join(':'),
            ),
            localPref: attr['local-preference'] as number | undefined,
          });
          rib.set(nlri, paths);
        }
      }
    }
  }
  return { rib, states, eors };
}

function drop(rib: Map<string, ExaRoute[]>, prefix: string, peer: string) {
  const left = (rib.get(prefix) ?? []).filter((r) => r.peer !== peer);
  if (left.length) rib.set(prefix, left);
  else rib.delete(prefix);
}
