/**
 * BIRD 2 inside a LAN namespace, as a receiver (passive, imports everything) or an announcer
 * (static /32s exported to one neighbour), with `birdc show route all` parsing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lan } from './netns.ts';
import { type Proc, run, waitFor } from './proc.ts';

export interface BirdNeighbor {
  /** Protocol name (letters, digits, underscore); BIRD sees it as `bgp_<name>`. */
  name: string;
  address: string;
  remoteAs: number;
  password?: string;
  passive?: boolean;
  holdSeconds?: number;
}

export interface BirdConfig {
  asn: number;
  routerId: string;
  localAddress: string;
  neighbors: BirdNeighbor[];
  /** Announcer mode: static routes exported to every neighbour. */
  announce?: { v4?: string[]; v6?: string[] };
}

export function birdConfig(c: BirdConfig): string {
  const l: string[] = [
    'log stderr all;',
    `router id ${c.routerId};`,
    'protocol device { scan time 10; }',
    // Connected routes let iBGP next hops resolve (otherwise BIRD marks them unreachable).
    'protocol direct { ipv4; ipv6; }',
  ];
  const v4 = c.announce?.v4 ?? [];
  const v6 = c.announce?.v6 ?? [];
  if (v4.length) {
    l.push('protocol static s4 {', '  ipv4;');
    for (const p of v4) l.push(`  route ${p} unreachable;`);
    l.push('}');
  }
  if (v6.length) {
    l.push('protocol static s6 {', '  ipv6;');
    for (const p of v6) l.push(`  route ${p} unreachable;`);
    l.push('}');
  }
  const exp = c.announce ? 'export where source = RTS_STATIC;' : 'export none;';
  for (const n of c.neighbors) {
    l.push(
      `protocol bgp bgp_${n.name} {`,
      `  local ${c.localAddress} as ${c.asn};`,
      `  neighbor ${n.address} as ${n.remoteAs};`,
      `  hold time ${n.holdSeconds ?? 9}; keepalive time ${Math.max(1, Math.floor((n.holdSeconds ?? 9) / 3))};`,
      '  connect delay time 1; connect retry time 2;',
      '  error wait time 1,2;',
      '  graceful restart on;',
    );
    if (n.passive ?? !c.announce) l.push('  passive on;');
    if (n.password) l.push(`  password "${n.password}";`);
    // For iBGP, keep the announcer's own address as next hop (direct) and resolve it via `direct`.
    l.push(
      `  ipv4 { import all; ${exp} next hop self; };`,
      `  ipv6 { import all; ${exp} next hop self; };`,
      '}',
    );
  }
  return `${l.join('\n')}\n`;
}

export interface BirdRoute {
  prefix: string;
  protocol: string;
  nextHop: string;
  asPath: string;
  communities: string[];
  largeCommunities: string[];
  localPref: number | undefined;
  primary: boolean;
}

export interface Bird {
  readonly proc: Proc;
  readonly dir: string;
  birdc(...args: string[]): Promise<string>;
  /** Every route (all paths) in master4 and master6, optionally filtered to one prefix. */
  routes(prefix?: string): Promise<BirdRoute[]>;
  /** Paths imported from a neighbour (best or not), or the total number of routes. */
  count(protocol?: string): Promise<number>;
  protocolState(name: string): Promise<string>;
  waitEstablished(name: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startBird(lan: Lan, host: string, cfg: BirdConfig, tag = 'bird'): Promise<Bird> {
  const dir = join(lan.dir, `${tag}-${host}`);
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'bird.conf');
  writeFileSync(conf, birdConfig(cfg));
  const sock = join(dir, 'bird.ctl');
  const check = await run(['bird', '-p', '-c', conf], { allowFail: true });
  if (check.code !== 0) throw new Error(`bird config invalid: ${check.stderr}`);
  const proc = lan.spawn(host, ['bird', '-f', '-c', conf, '-s', sock, '-P', join(dir, 'bird.pid')], {
    name: `bird@${host}`,
    logPath: join(dir, 'bird.log'),
  });
  const birdc = async (...args: string[]) => {
    const r = await run(['birdc', '-s', sock, ...args], { timeoutMs: 30_000, allowFail: true });
    if (r.code !== 0) throw new Error(`birdc ${args.join(' ')}: ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  const bird: Bird = {
    proc,
    dir,
    birdc,
    async routes(prefix) {
      const r = await run(['birdc', '-s', sock, 'show', 'route', 'all', ...(prefix ? [prefix] : [])], {
        timeoutMs: 30_000,
        allowFail: true,
      });
      if (r.stdout.includes('Network not found')) return [];
      if (r.code !== 0) throw new Error(`birdc show route: ${r.stderr || r.stdout}`);
      return parseBirdRoutes(r.stdout);
    },
    async count(protocol) {
      if (!protocol) {
        const out = await birdc('show', 'route', 'count');
        const m = /Total: (\d+) of/.exec(out);
        return m ? Number(m[1]) : 0;
      }
      // `show route count protocol P` counts only P's primary routes; count every path of P.
      const out = await birdc('show', 'route');
      return out.split(`[bgp_${protocol} `).length - 1;
    },
    async protocolState(name) {
      const out = await birdc('show', 'protocols', `bgp_${name}`);
      const line = out.split('\n').find((x) => x.startsWith(`bgp_${name} `));
      return line?.trim().split(/\s+/).slice(5).join(' ') ?? '';
    },
    async waitEstablished(name, timeoutMs = 15_000) {
      await waitFor(
        `BIRD ${name} Established`,
        async () => {
          if (!proc.running()) throw new Error(`bird exited: ${proc.log().slice(-2000)}`);
          return (await bird.protocolState(name)).startsWith('Established');
        },
        { timeoutMs },
      );
    },
    stop: () => proc.stop(3000),
  };
  await waitFor('bird control socket', async () => (await birdc('show', 'status')).includes('BIRD'), {
    timeoutMs: 10_000,
  }).catch((err) => {
    throw new Error(`${err.message}\nbird log:\n${proc.log().slice(-2000)}`);
  });
  return bird;
}

/** Parses `birdc show route all` output (BIRD 2.0.x) into one entry per path. */
export function parseBirdRoutes(out: string): BirdRoute[] {
  const routes: BirdRoute[] = [];
  let prefix = '';
  let cur: BirdRoute | undefined;
  for (const raw of out.split('\n')) {
    // Route header: "<prefix>  unicast [proto time] * (100) [AS65001i]"; alternates omit the prefix.
    const head = /^(\S+)?\s+(?:unicast|unreachable|blackhole|prohibit)\s+\[(\S+)\s[^\]]*\]\s*(\*)?/.exec(raw);
    if (head && !raw.startsWith('\t')) {
      if (head[1] && head[1] !== 'Table') prefix = head[1];
      cur = {
        prefix,
        protocol: head[2] ?? '',
        nextHop: '',
        asPath: '',
        communities: [],
        largeCommunities: [],
        localPref: undefined,
        primary: head[3] === '*',
      };
      routes.push(cur);
      continue;
    }
    if (!cur) continue;
    const attr = /^\s+BGP\.(\w+):\s*(.*)$/.exec(raw);
    if (!attr) continue;
    const [, key, value = ''] = attr;
    if (key === 'as_path') cur.asPath = value.trim();
    else if (key === 'next_hop') cur.nextHop = value.trim().split(/\s+/)[0] ?? '';
    else if (key === 'local_pref') cur.localPref = Number(value);
    else if (key === 'community') cur.communities = tuples(value).map((t) => t.join(':'));
    else if (key === 'large_community') cur.largeCommunities = tuples(value).map((t) => t.join(':'));
  }
  return routes;
}

function tuples(s: string): string[][] {
  return [...s.matchAll(/\(([^)]*)\)/g)].map((m) => (m[1] ?? '').split(',').map((x) => x.trim()));
}
