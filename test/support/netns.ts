/**
 * A throw-away "LAN" of network namespaces for interop tests: one namespace holds a bridge
 * (`br0`), and every host gets its own namespace joined to it by a veth pair (`eth0` inside).
 *
 * Names: `<family><4 hex>-<host>`, e.g. `elbf3a9c-router`. The family (≤ 5 chars) is chosen
 * per test file so parallel files never collide; an owner file under OWNER_DIR records the
 * creating PID so createLan() can delete leftovers of crashed runs of the same family without
 * touching a live run. Traffic only goes to addresses inside these namespaces; the optional
 * root-namespace veth is opt-in (rootAddress) for tests whose own process must reach a host.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Proc, type RunResult, run, runSync, type StartOptions, start } from './proc.ts';

export interface HostAddresses {
  v4: string;
  v6?: string;
}

/** The design's topology: router 192.168.2.1 (AS 65000), nodes worker .10 and pi4 .11 (AS 65001). */
export const TOPOLOGY = {
  router: { v4: '192.168.2.1', v6: 'fd00:2::1' },
  worker: { v4: '192.168.2.10', v6: 'fd00:2::10' },
  pi4: { v4: '192.168.2.11', v6: 'fd00:2::11' },
  master: { v4: '192.168.2.12', v6: 'fd00:2::12' },
  api: { v4: '192.168.2.2', v6: 'fd00:2::2' },
} as const satisfies Record<string, HostAddresses>;

export interface LanOptions {
  /** 1–5 lowercase letters/digits naming the test file, e.g. 'elbf'. */
  family: string;
  hosts: Record<string, HostAddresses>;
  /** Prefix lengths of the LAN (default 24 / 64). */
  v4PrefixLength?: number;
  v6PrefixLength?: number;
  /** Opt-in: a veth into the root namespace with this IPv4 address (e.g. 192.168.2.250). */
  rootAddress?: string;
}

export interface Lan {
  readonly id: string;
  readonly dir: string;
  /** Namespace name of a host. */
  ns(host: string): string;
  addr(host: string): HostAddresses;
  hosts(): string[];
  addHost(host: string, addrs: HostAddresses): Promise<void>;
  exec(host: string, cmd: string[], opts?: { allowFail?: boolean; timeoutMs?: number }): Promise<RunResult>;
  /** Starts a long-running process inside a host's namespace (stopped by PID on destroy()). */
  spawn(host: string, cmd: string[], opts: StartOptions): Proc;
  /** Stops every process spawned in the LAN, deletes the namespaces and the root veth. Idempotent. */
  destroy(): Promise<void>;
}

const OWNER_DIR = join(tmpdir(), 'edgelb-netns');
const BRIDGE = 'br';

export async function createLan(opts: LanOptions): Promise<Lan> {
  if (!/^[a-z][a-z0-9]{0,4}$/.test(opts.family)) throw new Error(`bad LAN family ${opts.family}`);
  cleanStale(opts.family);
  const id =
    opts.family +
    Math.floor(Math.random() * 0x10000)
      .toString(16)
      .padStart(4, '0');
  mkdirSync(OWNER_DIR, { recursive: true });
  writeFileSync(join(OWNER_DIR, id), String(process.pid));
  const dir = join(tmpdir(), `edgelb-${id}`);
  mkdirSync(dir, { recursive: true });
  const v4len = opts.v4PrefixLength ?? 24;
  const v6len = opts.v6PrefixLength ?? 64;
  const hosts = new Map<string, HostAddresses>();
  const procs: Proc[] = [];
  let destroyed = false;
  const nsName = (host: string) => `${id}-${host}`;
  const brNs = nsName(BRIDGE);

  const sh = (cmd: string[]) => run(cmd, { timeoutMs: 10_000 });
  const nsUp = async (ns: string) => {
    await sh(['ip', 'netns', 'add', ns]);
    await sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
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
  };

  const lan: Lan = {
    id,
    dir,
    ns(host) {
      if (!hosts.has(host)) throw new Error(`no host ${host} in LAN ${id}`);
      return nsName(host);
    },
    addr(host) {
      const a = hosts.get(host);
      if (!a) throw new Error(`no host ${host} in LAN ${id}`);
      return a;
    },
    hosts: () => [...hosts.keys()],
    async addHost(host, addrs) {
      if (!/^[a-z][a-z0-9]{0,9}$/.test(host)) throw new Error(`bad host name ${host}`);
      if (hosts.has(host)) throw new Error(`host ${host} exists`);
      const ns = nsName(host);
      const port = `h${hosts.size}`;
      hosts.set(host, addrs);
      await nsUp(ns);
      await sh(['ip', '-n', brNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      await sh(['ip', '-n', brNs, 'link', 'set', port, 'master', 'br0', 'up']);
      await sh(['ip', '-n', ns, 'addr', 'add', `${addrs.v4}/${v4len}`, 'dev', 'eth0']);
      if (addrs.v6) {
        await sh(['ip', '-n', ns, '-6', 'addr', 'add', `${addrs.v6}/${v6len}`, 'dev', 'eth0', 'nodad']);
      }
      await sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
    },
    exec(host, cmd, o = {}) {
      return run(['ip', 'netns', 'exec', lan.ns(host), ...cmd], { timeoutMs: o.timeoutMs ?? 15_000, ...o });
    },
    spawn(host, cmd, o) {
      // `ip netns exec` execs the command after setns, so the PID is the command's own.
      const p = start(['ip', 'netns', 'exec', lan.ns(host), ...cmd], o);
      procs.push(p);
      return p;
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await Promise.all(procs.map((p) => p.stop(2000)));
      destroyById(id);
    },
  };

  try {
    await nsUp(brNs);
    await sh([
      'ip',
      '-n',
      brNs,
      'link',
      'add',
      'br0',
      'type',
      'bridge',
      'forward_delay',
      '0',
      'mcast_snooping',
      '0',
    ]);
    await sh(['ip', '-n', brNs, 'link', 'set', 'br0', 'up']);
    for (const [host, addrs] of Object.entries(opts.hosts)) await lan.addHost(host, addrs);
    if (opts.rootAddress) {
      const rootIf = `${id}r`;
      await sh(['ip', 'link', 'add', rootIf, 'type', 'veth', 'peer', 'name', 'root', 'netns', brNs]);
      await sh(['ip', '-n', brNs, 'link', 'set', 'root', 'master', 'br0', 'up']);
      await sh(['ip', 'addr', 'add', `${opts.rootAddress}/${v4len}`, 'dev', rootIf]);
      await sh(['ip', 'link', 'set', rootIf, 'up']);
    }
  } catch (err) {
    await lan.destroy();
    throw err;
  }
  return lan;
}

/** Deletes every namespace, the root veth and the owner file of one LAN id (synchronous, never throws). */
function destroyById(id: string): void {
  const list = runSync(['ip', 'netns', 'list']).stdout;
  for (const line of list.split('\n')) {
    const ns = line.split(' ')[0] ?? '';
    if (!ns.startsWith(`${id}-`)) continue;
    // Processes still inside a namespace of ours (e.g. left by a crashed run) are ended by PID.
    for (const pid of runSync(['ip', 'netns', 'pids', ns]).stdout.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {}
    }
    runSync(['ip', 'netns', 'del', ns]);
  }
  runSync(['ip', 'link', 'del', `${id}r`]);
  rmSync(join(OWNER_DIR, id), { force: true });
  rmSync(join(tmpdir(), `edgelb-${id}`), { recursive: true, force: true });
}

/** Removes LANs of this family whose creating process is gone. */
export function cleanStale(family: string): void {
  const ids = new Set<string>();
  const re = new RegExp(`^(${family}[0-9a-f]{4})-`);
  for (const line of runSync(['ip', 'netns', 'list']).stdout.split('\n')) {
    const m = re.exec(line);
    if (m?.[1]) ids.add(m[1]);
  }
  if (existsSync(OWNER_DIR)) {
    for (const f of readdirSync(OWNER_DIR)) if (new RegExp(`^${family}[0-9a-f]{4}$`).test(f)) ids.add(f);
  }
  for (const id of ids) {
    if (ownerAlive(id)) continue;
    destroyById(id);
  }
}

function ownerAlive(id: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(OWNER_DIR, id), 'utf8'));
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
