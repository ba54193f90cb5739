/**
 * A Debian machine under a real systemd, for tests: a minbase root from debootstrap (cached
 * under the checkout's .tmp/nspawn/, keyed by suite, mirror and package list, so a second run
 * reuses it), copied per test and booted with `systemd-nspawn --boot --register=no
 * --keep-unit` (no machined or system bus needed on the host). Commands run inside with
 * nsenter into the container's init; `inNet` runs a host program in the container's network
 * namespace only (e.g. a file server the container reaches on its own loopback). The network
 * is a parameter: a private loopback-only one (the default), a veth pair, or any nspawn
 * arguments (e.g. --network-namespace-path= for a namespace with a router in it).
 * Every container is stopped by PID: poweroff, then SIGKILL to nspawn and the container's init.
 * Boot and privileged use need root and the lab lock (flock /work/notes/lab.lock).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Proc, type RunResult, run, sleep, start, waitFor } from './proc.ts';

export const REPO = join(import.meta.dir, '..', '..');
export const CACHE = join(REPO, '.tmp', 'nspawn');
export const DEBIAN_SUITE = 'bookworm';
export const DEBIAN_PACKAGES = ['systemd', 'systemd-sysv', 'dbus', 'curl', 'ca-certificates', 'xz-utils'];
/** The PATH inside the container (commands there run with a clean environment). */
export const GUEST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const FALLBACK_MIRROR = 'http://deb.debian.org/debian';
const DEBOOTSTRAP_TIMEOUT_MS = 900_000;
const BOOT_TIMEOUT_MS = 60_000;
const POWEROFF_TIMEOUT_MS = 20_000;

/** The Debian mirror this machine's apt uses (sources.list or deb822 .sources), else deb.debian.org. */
export function debianMirror(): string {
  const files = ['/etc/apt/sources.list'];
  try {
    for (const f of readdirSync('/etc/apt/sources.list.d').sort()) {
      if (f.endsWith('.list') || f.endsWith('.sources')) files.push(join('/etc/apt/sources.list.d', f));
    }
  } catch {}
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const l = line.trim();
      // "deb [opts] URI suite ..." or "URIs: URI ..."; the main archive, not security or ports.
      const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/.exec(l) ?? /^URIs:\s*(\S+)/.exec(l);
      const uri = m?.[1];
      if (uri && /^https?:\/\//.test(uri) && /\/debian\/?$/.test(uri)) return uri.replace(/\/$/, '');
    }
  }
  return FALLBACK_MIRROR;
}

export interface RootSpec {
  suite?: string;
  packages?: string[];
  mirror?: string;
}

/** The cache folder of a root: its key covers everything debootstrap is given. */
export function rootCachePath(spec: RootSpec = {}): string {
  const suite = spec.suite ?? DEBIAN_SUITE;
  const packages = [...(spec.packages ?? DEBIAN_PACKAGES)].sort();
  const mirror = spec.mirror ?? debianMirror();
  const key = createHash('sha256')
    .update(JSON.stringify(['minbase', suite, packages, mirror]))
    .digest('hex')
    .slice(0, 12);
  return join(CACHE, `debian-${suite}-${key}`);
}

/**
 * The cached base root, made with debootstrap when missing (into a .partial folder renamed
 * at the end, so an interrupted run never leaves a half root behind). Returns its path and
 * whether it was built now, with the time it took.
 */
export async function debianRoot(spec: RootSpec = {}): Promise<{ path: string; builtMs?: number }> {
  const path = rootCachePath(spec);
  if (existsSync(join(path, 'usr', 'lib', 'systemd', 'systemd'))) return { path };
  const partial = `${path}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(CACHE, { recursive: true });
  const t0 = performance.now();
  await run(
    [
      'debootstrap',
      '--variant=minbase',
      `--include=${(spec.packages ?? DEBIAN_PACKAGES).join(',')}`,
      spec.suite ?? DEBIAN_SUITE,
      partial,
      spec.mirror ?? debianMirror(),
    ],
    { timeoutMs: DEBOOTSTRAP_TIMEOUT_MS },
  );
  renameSync(partial, path);
  return { path, builtMs: performance.now() - t0 };
}

/** How the container is networked. */
export type NspawnNetwork =
  /** Its own network namespace with only loopback (--private-network). */
  | { kind: 'private' }
  /** A veth pair: host side ve-<machine>, host0 inside (--network-veth). */
  | { kind: 'veth' }
  /** Any nspawn network arguments, e.g. ['--network-namespace-path=/run/netns/lab']. */
  | { kind: 'args'; args: string[] };

function networkArgs(n: NspawnNetwork): string[] {
  switch (n.kind) {
    case 'private':
      return ['--private-network'];
    case 'veth':
      return ['--network-veth'];
    case 'args':
      return n.args;
  }
}

export interface BootOptions {
  /** A root to boot; it is modified by the boot (use copyRoot for a throwaway copy). */
  root: string;
  /** Machine (and host) name: at most 11 characters keeps ve-<name> a valid interface name. */
  machine: string;
  network?: NspawnNetwork;
  /** The console output (boot messages) goes here. */
  logPath: string;
  bootTimeoutMs?: number;
}

/** A throwaway copy of a root (cp -a, reflinked where the file system can). */
export async function copyRoot(base: string, dest: string): Promise<string> {
  rmSync(dest, { recursive: true, force: true });
  await run(['cp', '-a', '--reflink=auto', base, dest], { timeoutMs: 120_000 });
  return dest;
}

function parentOf(pid: number): number | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** The container's init: a descendant of nspawn that is PID 1 in its own PID namespace. */
export function findLeader(nspawnPid: number): number | undefined {
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      continue;
    }
    if (!/^NSpid:\s+\d+\s+1\s*$/m.test(status)) continue;
    let p: number | undefined = pid;
    for (let depth = 0; p && p > 1 && depth < 10; depth++) {
      p = parentOf(p);
      if (p === nspawnPid) return pid;
    }
  }
  return undefined;
}

/** Inits of booted containers, killed if the test process exits without stopping them. */
const leaders = new Set<number>();
process.on('exit', () => {
  for (const pid of leaders) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
});

export class Container {
  private constructor(
    readonly machine: string,
    readonly nspawn: Proc,
    /** The container's init (systemd), as seen from the host. */
    readonly leader: number,
  ) {
    leaders.add(leader);
  }

  /** Boots the root and waits until `systemctl is-system-running` says running (or degraded). */
  static async boot(opts: BootOptions): Promise<Container> {
    const cmd = [
      'systemd-nspawn',
      '--quiet',
      `--directory=${opts.root}`,
      `--machine=${opts.machine}`,
      '--boot',
      '--register=no',
      '--keep-unit',
      '--console=read-only',
      ...networkArgs(opts.network ?? { kind: 'private' }),
    ];
    const nspawn = start(cmd, { name: `nspawn-${opts.machine}`, logPath: opts.logPath });
    const timeoutMs = opts.bootTimeoutMs ?? BOOT_TIMEOUT_MS;
    let leader: number;
    try {
      leader = await waitFor(
        `the init of container ${opts.machine}`,
        () => {
          if (!nspawn.running()) throw new Error(`systemd-nspawn exited: ${nspawn.log().slice(-2000)}`);
          return findLeader(nspawn.pid);
        },
        { timeoutMs, intervalMs: 50 },
      );
    } catch (err) {
      await nspawn.kill();
      throw err;
    }
    const c = new Container(opts.machine, nspawn, leader);
    try {
      await waitFor(
        `container ${opts.machine} booted`,
        async () => {
          if (!nspawn.running()) throw new Error(`systemd-nspawn exited: ${nspawn.log().slice(-2000)}`);
          const r = await c.exec(['systemctl', 'is-system-running'], { allowFail: true });
          const state = r.stdout.trim();
          return state === 'running' || state === 'degraded' ? state : undefined;
        },
        { timeoutMs, intervalMs: 200 },
      );
    } catch (err) {
      await c.stop();
      throw err;
    }
    return c;
  }

  /** Runs a command inside (all namespaces, the container's root), with a clean environment. */
  exec(
    cmd: string[],
    opts: { timeoutMs?: number; allowFail?: boolean; stdin?: string; env?: Record<string, string> } = {},
  ): Promise<RunResult> {
    if (!this.nspawn.running())
      throw new Error(`container ${this.machine} is not running: ${this.nspawn.log().slice(-2000)}`);
    const env = Object.entries({ PATH: GUEST_PATH, LANG: 'C.UTF-8', SYSTEMD_PAGER: '', ...opts.env }).map(
      ([k, v]) => `${k}=${v}`,
    );
    return run(['nsenter', '-t', String(this.leader), '-a', '-r', '-w', 'env', '-i', ...env, ...cmd], {
      timeoutMs: opts.timeoutMs ?? 30_000,
      allowFail: opts.allowFail ?? false,
      ...(opts.stdin === undefined ? {} : { stdin: opts.stdin }),
    });
  }

  /** `sh -c script` inside. */
  sh(
    script: string,
    opts: { timeoutMs?: number; allowFail?: boolean; env?: Record<string, string> } = {},
  ): Promise<RunResult> {
    return this.exec(['sh', '-c', script], opts);
  }

  /** The unit's properties (systemctl show -p ...), as a record. */
  async show(unit: string, props: string[]): Promise<Record<string, string>> {
    const r = await this.exec(['systemctl', 'show', unit, ...props.map((p) => `--property=${p}`)]);
    const out: Record<string, string> = {};
    for (const line of r.stdout.split('\n')) {
      const i = line.indexOf('=');
      if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
    }
    return out;
  }

  /** Starts a host program in the container's network namespace only (host files, container network). */
  inNet(cmd: string[], opts: { name: string; logPath?: string; pipe?: boolean }): Proc {
    return start(['nsenter', '-t', String(this.leader), '-n', '--', ...cmd], opts);
  }

  /** A host path below the container's root as its init sees it. */
  hostPath(path: string): string {
    return `/proc/${this.leader}/root${path}`;
  }

  /** Powers the container off (SIGRTMIN+4 to its init); SIGKILL to init and nspawn after a bound. */
  async stop(timeoutMs = POWEROFF_TIMEOUT_MS): Promise<void> {
    leaders.delete(this.leader);
    if (!this.nspawn.running()) return;
    try {
      // systemd: SIGRTMIN+4 is "poweroff".
      process.kill(this.leader, 38);
    } catch {}
    const t0 = performance.now();
    while (this.nspawn.running() && performance.now() - t0 < timeoutMs) await sleep(100);
    if (this.nspawn.running()) {
      try {
        process.kill(this.leader, 'SIGKILL');
      } catch {}
      await this.nspawn.stop(5000);
    }
  }
}
