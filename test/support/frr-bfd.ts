/**
 * FRR's BFD daemon as the router in interop tests: zebra + bfdd (+ bgpd when asked) inside
 * one LAN namespace, all in one folder of the LAN (research note l2-and-bfd.md §4: one zserv
 * socket for every daemon, vty sockets in the folder, bfdd's control socket moved out of
 * /var/run/frr so parallel runs do not collide, no TCP vty). Daemons run in the foreground,
 * stopped by PID; polls are bounded.
 */
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BGPD, type FrrConfig, frrConfig, ZEBRA } from './frr.ts';
import type { Lan } from './netns.ts';
import { type Proc, run, runSync, waitFor } from './proc.ts';

export const BFDD = '/usr/lib/frr/bfdd';

export interface FrrBfdPeer {
  address: string;
  /** Required for multihop. */
  local?: string;
  multihop?: boolean;
  receiveMs?: number;
  transmitMs?: number;
  detectMultiplier?: number;
  passive?: boolean;
  /** Multihop only: minimum TTL (FRR's `minimum-ttl`). */
  minimumTtl?: number;
}

export interface FrrBfdConfig {
  peers: FrrBfdPeer[];
  /** Also run bgpd with this configuration (its neighbours get `bfd` lines through `extra`). */
  bgp?: FrrConfig;
}

/** One entry of `show bfd peers json` (FRR 8.4). */
export interface FrrBfdPeerStatus {
  peer: string;
  local?: string;
  multihop: boolean;
  id: number;
  'remote-id': number;
  status: 'up' | 'down' | 'shutdown' | 'init' | string;
  diagnostic: string;
  'remote-diagnostic': string;
  'receive-interval': number;
  'transmit-interval': number;
  'detect-multiplier': number;
  'remote-receive-interval': number;
  'remote-transmit-interval': number;
  'remote-detect-multiplier': number;
  'remote-echo-receive-interval'?: number;
  [k: string]: unknown;
}

export interface FrrBfd {
  readonly dir: string;
  readonly zebra: Proc;
  readonly bfdd: Proc;
  readonly bgpd: Proc | undefined;
  vtysh(...cmds: string[]): Promise<string>;
  peers(): Promise<FrrBfdPeerStatus[]>;
  peer(address: string): Promise<FrrBfdPeerStatus | undefined>;
  /** `show bfd peer X counters json` (control-packet-input/output, session-up/down). */
  counters(address: string): Promise<Record<string, number>>;
  waitPeer(
    address: string,
    pred: (p: FrrBfdPeerStatus) => boolean,
    what: string,
    timeoutMs?: number,
    intervalMs?: number,
  ): Promise<FrrBfdPeerStatus>;
  log(): string;
  /** Epoch ms of each `up -> down` bfdd logged for a peer (from its millisecond log timestamps). */
  downTimes(address: string): number[];
  stop(): Promise<void>;
}

/** `2026/12/06 12:21:15.123 BFD: ... [mhop:no peer:ADDR local:...] up -> down reason:...` */
export function parseDownTimes(log: string, address: string): number[] {
  const out: number[] = [];
  for (const line of log.split('\n')) {
    if (!line.includes(` peer:${address} `) || !line.includes('up -> down')) continue;
    const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}:\d{2}:\d{2}\.\d{3})/.exec(line);
    // FRR logs local time; Date parses a zone-less ISO date-time as local time too.
    if (m) out.push(new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}`).getTime());
  }
  return out;
}

export function bfddConfig(c: FrrBfdConfig): string {
  const l = [
    'hostname router',
    'log stdout debugging',
    'log timestamp precision 3',
    'debug bfd peer',
    '!',
    'bfd',
  ];
  for (const p of c.peers) {
    let head = ` peer ${p.address}`;
    if (p.multihop) head += ' multihop';
    if (p.local) head += ` local-address ${p.local}`;
    l.push(head);
    l.push(`  detect-multiplier ${p.detectMultiplier ?? 3}`);
    l.push(`  receive-interval ${p.receiveMs ?? 300}`);
    l.push(`  transmit-interval ${p.transmitMs ?? 300}`);
    if (p.passive) l.push('  passive-mode');
    if (p.multihop && p.minimumTtl) l.push(`  minimum-ttl ${p.minimumTtl}`);
    l.push('  no shutdown', ' exit', ' !');
  }
  l.push('exit', '');
  return l.join('\n');
}

/** FRR drops to user frr: its folder must belong to it (research note §4). */
function ownByFrr(dir: string): void {
  const id = runSync(['id', '-u', 'frr']).stdout.trim();
  const gid = runSync(['id', '-g', 'frr']).stdout.trim();
  if (id && gid) chownSync(dir, Number(id), Number(gid));
}

export async function startFrrBfd(lan: Lan, host: string, cfg: FrrBfdConfig): Promise<FrrBfd> {
  const dir = join(lan.dir, `frr-bfd-${host}`);
  mkdirSync(dir, { recursive: true });
  ownByFrr(dir);
  const zserv = join(dir, 'zserv.api');
  const common = ['-P', '0', '--vty_socket', dir];
  writeFileSync(join(dir, 'zebra.conf'), 'hostname router\n');
  const zebra = lan.spawn(
    host,
    [ZEBRA, ...common, '-f', join(dir, 'zebra.conf'), '-i', join(dir, 'zebra.pid'), '-z', zserv],
    { name: `zebra@${host}`, logPath: join(dir, 'zebra.log') },
  );
  await waitFor('zebra socket', () => existsSync(zserv), { timeoutMs: 10_000 }).catch((err) => {
    throw new Error(`${err.message}\nzebra log:\n${zebra.log().slice(-2000)}`);
  });
  writeFileSync(join(dir, 'bfdd.conf'), bfddConfig(cfg));
  const bfdd = lan.spawn(
    host,
    [
      BFDD,
      ...common,
      '-f',
      join(dir, 'bfdd.conf'),
      '-i',
      join(dir, 'bfdd.pid'),
      '-z',
      zserv,
      '--bfdctl',
      join(dir, 'bfdd.sock'),
    ],
    { name: `bfdd@${host}`, logPath: join(dir, 'bfdd.log') },
  );
  let bgpd: Proc | undefined;
  if (cfg.bgp) {
    writeFileSync(join(dir, 'bgpd.conf'), frrConfig(cfg.bgp));
    bgpd = lan.spawn(
      host,
      [BGPD, ...common, '-S', '-f', join(dir, 'bgpd.conf'), '-i', join(dir, 'bgpd.pid'), '-z', zserv],
      { name: `bgpd@${host}`, logPath: join(dir, 'bgpd.log') },
    );
  }

  const vtysh = async (...cmds: string[]) => {
    const args = ['vtysh', '--vty_socket', dir];
    for (const c of cmds) args.push('-c', c);
    const r = await run(args, { timeoutMs: 20_000, allowFail: true });
    if (r.code !== 0) throw new Error(`vtysh ${cmds.join(' / ')}: ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  const peers = async () => JSON.parse(await vtysh('show bfd peers json')) as FrrBfdPeerStatus[];
  const frr: FrrBfd = {
    dir,
    zebra,
    bfdd,
    bgpd,
    vtysh,
    peers,
    async peer(address) {
      return (await peers()).find((p) => p.peer === address);
    },
    async counters(address) {
      const d = JSON.parse(await vtysh(`show bfd peer ${address} counters json`)) as Record<string, number>;
      return d;
    },
    waitPeer(address, pred, what, timeoutMs = 15_000, intervalMs = 50) {
      return waitFor(
        `FRR BFD peer ${address} ${what}`,
        async () => {
          if (!bfdd.running()) throw new Error(`bfdd exited: ${bfdd.log().slice(-2000)}`);
          const p = await frr.peer(address);
          return p && pred(p) ? p : undefined;
        },
        { timeoutMs, intervalMs },
      ).catch((err: Error) => {
        throw new Error(`${err.message}\nbfdd log (tail):\n${bfdd.log().split('\n').slice(-30).join('\n')}`);
      });
    },
    log: () => bfdd.log(),
    downTimes: (address) => parseDownTimes(bfdd.log(), address),
    async stop() {
      await bgpd?.stop(3000);
      await bfdd.stop(3000);
      await zebra.stop(3000);
    },
  };
  await waitFor('bfdd vty', async () => (await vtysh('show bfd peers json')).trim().startsWith('['), {
    timeoutMs: 10_000,
  }).catch((err) => {
    throw new Error(`${err.message}\nbfdd log:\n${bfdd.log().slice(-2000)}`);
  });
  return frr;
}
