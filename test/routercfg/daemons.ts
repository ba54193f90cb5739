/**
 * The real routers loaded with a generated configuration as it is (only the password
 * placeholders replaced): FRR as zebra + bgpd (+ bfdd when the config has a `bfd` block) and
 * BIRD 2, each inside a LAN namespace, stopped by PID. zebra and BIRD's kernel protocol
 * install routes into the namespace's own table, so ECMP is checked where it matters.
 */
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BGPD, ZEBRA } from '../support/frr.ts';
import { BFDD } from '../support/frr-bfd.ts';
import type { Lan } from '../support/netns.ts';
import { type Proc, run, runSync, waitFor } from '../support/proc.ts';
import { splitFrr } from './frr-split.ts';

export interface Daemons {
  readonly procs: Proc[];
  /** `vtysh -c` for FRR, `birdc` for BIRD: one command, its output. */
  cli(cmd: string): Promise<string>;
  log(): string;
  stop(): Promise<void>;
}

/** The kernel's next hops for a prefix in a host's table (`ip route show`), sorted. */
export async function kernelNextHops(lan: Lan, host: string, prefix: string): Promise<string[]> {
  const fam = prefix.includes(':') ? '-6' : '-4';
  const r = await lan.exec(host, ['ip', fam, 'route', 'show', prefix]);
  return [...r.stdout.matchAll(/via (\S+)/g)].map((m) => m[1]!).sort();
}

export async function startFrrWith(lan: Lan, host: string, conf: string): Promise<Daemons> {
  const dir = join(lan.dir, `rcfg-frr-${host}`);
  mkdirSync(dir, { recursive: true });
  const uid = runSync(['id', '-u', 'frr']).stdout.trim();
  const gid = runSync(['id', '-g', 'frr']).stdout.trim();
  if (uid && gid) chownSync(dir, Number(uid), Number(gid));
  const { bgpd, bfdd } = splitFrr(conf);
  const zserv = join(dir, 'zserv.api');
  const common = ['-P', '0', '--vty_socket', dir, '-z', zserv];
  const procs: Proc[] = [];
  writeFileSync(join(dir, 'zebra.conf'), 'hostname router\n');
  const zebra = lan.spawn(
    host,
    [ZEBRA, ...common, '-f', join(dir, 'zebra.conf'), '-i', join(dir, 'zebra.pid')],
    {
      name: `zebra@${host}`,
      logPath: join(dir, 'zebra.log'),
    },
  );
  procs.push(zebra);
  await waitFor('zebra socket', () => existsSync(zserv), { timeoutMs: 10_000 });
  if (bfdd.trim().length > 0) {
    writeFileSync(join(dir, 'bfdd.conf'), bfdd);
    procs.push(
      lan.spawn(
        host,
        [
          BFDD,
          ...common,
          '-f',
          join(dir, 'bfdd.conf'),
          '-i',
          join(dir, 'bfdd.pid'),
          '--bfdctl',
          join(dir, 'bfdd.sock'),
        ],
        { name: `bfdd@${host}`, logPath: join(dir, 'bfdd.log') },
      ),
    );
  }
  writeFileSync(join(dir, 'bgpd.conf'), `log stdout debugging\ndebug bgp neighbor-events\n${bgpd}`);
  const bgp = lan.spawn(
    host,
    [BGPD, ...common, '-S', '-f', join(dir, 'bgpd.conf'), '-i', join(dir, 'bgpd.pid')],
    {
      name: `bgpd@${host}`,
      logPath: join(dir, 'bgpd.log'),
    },
  );
  procs.push(bgp);
  const cli = async (cmd: string) => {
    const r = await run(['vtysh', '--vty_socket', dir, '-c', cmd], { timeoutMs: 20_000, allowFail: true });
    if (r.code !== 0) throw new Error(`vtysh ${cmd}: ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  await waitFor('bgpd vty', async () => (await cli('show bgp summary json').catch(() => '')).length > 0, {
    timeoutMs: 10_000,
  });
  return {
    procs,
    cli,
    log: () => procs.map((p) => `--- ${p.name}\n${p.log().split('\n').slice(-30).join('\n')}`).join('\n'),
    async stop() {
      for (const p of [...procs].reverse()) await p.stop(3000);
    },
  };
}

export async function startBirdWith(lan: Lan, host: string, conf: string): Promise<Daemons> {
  const dir = join(lan.dir, `rcfg-bird-${host}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'bird.conf');
  // Error wait time stays BIRD's: the generated protocols are used as they are, logging aside.
  writeFileSync(file, `log stderr all;\n${conf}`);
  const check = await run(['bird', '-p', '-c', file], { allowFail: true });
  if (check.code !== 0) throw new Error(`bird -p: ${check.stderr}`);
  const sock = join(dir, 'bird.ctl');
  const proc = lan.spawn(host, ['bird', '-f', '-c', file, '-s', sock, '-P', join(dir, 'bird.pid')], {
    name: `bird@${host}`,
    logPath: join(dir, 'bird.log'),
  });
  const cli = async (cmd: string) => {
    const r = await run(['birdc', '-s', sock, ...cmd.split(' ')], { timeoutMs: 20_000, allowFail: true });
    // birdc exits non-zero for an absent route; that answer is the result, not a failure.
    if (r.code !== 0 && !r.stdout.includes('Network not found'))
      throw new Error(`birdc ${cmd}: ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  await waitFor('bird socket', async () => (await cli('show status').catch(() => '')).includes('BIRD'), {
    timeoutMs: 10_000,
  });
  return {
    procs: [proc],
    cli,
    log: () => proc.log().split('\n').slice(-40).join('\n'),
    stop: () => proc.stop(3000),
  };
}
