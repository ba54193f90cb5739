/**
 * Runs one edgelb Speaker as its own process (inside a LAN namespace) for interop tests and
 * the benchmark, and the test-side client that drives it.
 *
 * Process: `bun test/support/speaker-main.ts CONFIG.json`. Logs go to stderr. Commands are
 * JSON lines on stdin:
 *   {"cmd":"advertise","advertisements":{"<peer id>":["a.b.c.d/32", ...]}}
 *   {"cmd":"peers","peers":[PeerConfig...]}
 *   {"cmd":"stop","mode":"withdraw"|"keep"}      -> prints {"type":"stopped"} and exits 0
 * stdout gets {"type":"status","peers":[PeerStatus...],"advertised":[...]} whenever it changes
 * (polled every 50 ms), so the test can wait for a state without sleeping. SIGTERM = stop withdraw.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PeerConfig, Speaker } from '../../agent/bgp/speaker.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { createLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import type { Lan } from './netns.ts';
import { LineReader, type Proc, waitFor } from './proc.ts';

export type { PeerConfig };

export interface SpeakerMainConfig {
  routerId: string;
  hostname?: string;
  nextHopV4?: string;
  nextHopV6?: string;
  listen?: { address: string; port: number };
  peers: PeerConfig[];
  advertisements?: Record<string, string[]>;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Set the graceful-restart R bit (the agent restarted). */
  restarting?: boolean;
  /**
   * false: status lines carry no advertised list (the benchmark: listing and printing 100k
   * prefixes every 50 ms would measure this harness, not the speaker).
   */
  statusAdvertised?: boolean;
}

export type PeerStatusLine = Record<string, unknown> & { state?: string };
export interface StatusLine {
  type: 'status';
  peers: PeerStatusLine[];
  advertised: string[];
}

/** A peer config with the interop defaults (short timers, GR on, no attributes). */
export function peer(
  p: Partial<PeerConfig> & Pick<PeerConfig, 'peerAddress' | 'localASN' | 'peerASN'>,
): PeerConfig {
  return {
    id: p.id ?? p.peerAddress,
    peerPort: 179,
    holdTimeSeconds: 9,
    keepAliveTimeSeconds: 3,
    connectRetryTimeSeconds: 1,
    gracefulRestart: { enabled: true, restartTimeSeconds: 120 },
    communities: [],
    largeCommunities: [],
    ...p,
  };
}

// ---------------------------------------------------------------------------------------------
// Test side

export interface SpeakerProcess {
  readonly proc: Proc;
  readonly out: LineReader;
  send(cmd: Record<string, unknown>): void;
  advertise(ads: Record<string, string[]>): void;
  setPeers(peers: PeerConfig[]): void;
  /** Latest status line (undefined before the first). */
  last(): StatusLine | undefined;
  /** Waits for a status line whose peer (matched by id or address) satisfies pred. */
  waitPeer(
    idOrAddress: string,
    pred: (p: PeerStatusLine) => boolean,
    timeoutMs?: number,
    /** Only output lines from this index on (default 0: any line so far). */
    from?: number,
  ): Promise<PeerStatusLine>;
  /** Waits until the latest status line shows the peer Established. */
  waitEstablished(idOrAddress: string, timeoutMs?: number): Promise<PeerStatusLine>;
  /** Sends the stop command and waits for exit (SIGKILL after the bound). */
  stop(mode: 'withdraw' | 'keep', timeoutMs?: number): Promise<void>;
  /** Resident set size in KiB (from /proc), 0 once gone. */
  rssKiB(): number;
}

const SELF = import.meta.path;

export function startSpeaker(lan: Lan, host: string, cfg: SpeakerMainConfig, tag = 'edgelb'): SpeakerProcess {
  const file = join(lan.dir, `${tag}-${host}.json`);
  writeFileSync(file, JSON.stringify(cfg));
  const proc = lan.spawn(host, [process.execPath, SELF, file], {
    name: `${tag}@${host}`,
    pipe: true,
    logPath: join(lan.dir, `${tag}-${host}.log`),
  });
  const stdin = proc.child.stdin as import('bun').FileSink;
  const out = new LineReader(proc.child.stdout as ReadableStream<Uint8Array>);
  const parse = (l: string): StatusLine | undefined => {
    try {
      const v = JSON.parse(l) as StatusLine;
      return v.type === 'status' ? v : undefined;
    } catch {
      return undefined;
    }
  };
  const matches = (p: PeerStatusLine, key: string) =>
    p.id === key || p.address === key || p.peerAddress === key;
  const sp: SpeakerProcess = {
    proc,
    out,
    send(cmd) {
      stdin.write(`${JSON.stringify(cmd)}\n`);
      stdin.flush();
    },
    advertise: (ads) => sp.send({ cmd: 'advertise', advertisements: ads }),
    setPeers: (peers) => sp.send({ cmd: 'peers', peers }),
    last() {
      const lines = out.all();
      for (let i = lines.length - 1; i >= 0; i--) {
        const s = parse(lines[i]!);
        if (s) return s;
      }
      return undefined;
    },
    async waitPeer(key, pred, timeoutMs = 15_000, from = 0) {
      let found: PeerStatusLine | undefined;
      await out
        .waitLine(
          (l) => {
            const s = parse(l);
            found = s?.peers.find((p) => matches(p, key) && pred(p));
            return !!found;
          },
          timeoutMs,
          from,
        )
        .catch((err) => {
          throw new Error(`speaker@${host} peer ${key}: ${err.message}\nlog:\n${proc.log().slice(-3000)}`);
        });
      return found!;
    },
    async waitEstablished(key, timeoutMs = 15_000) {
      // The latest status must say Established (an old line from before a reset does not count).
      return waitFor(
        `speaker@${host} peer ${key} Established`,
        () => {
          if (!proc.running()) throw new Error(`speaker exited: ${proc.log().slice(-3000)}`);
          const p = sp.last()?.peers.find((x) => matches(x, key));
          return p?.state === 'Established' ? p : undefined;
        },
        { timeoutMs, intervalMs: 20 },
      ).catch((err: Error) => {
        throw new Error(`${err.message}\nlog:\n${proc.log().slice(-3000)}`);
      });
    },
    async stop(mode, timeoutMs = 5000) {
      if (!proc.running()) return;
      sp.send({ cmd: 'stop', mode });
      const t = setTimeout(() => proc.kill(), timeoutMs);
      await proc.exited;
      clearTimeout(t);
    },
    rssKiB() {
      try {
        const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
        return m ? Number(m[1]) : 0;
      } catch {
        return 0;
      }
    },
  };
  return sp;
}

// ---------------------------------------------------------------------------------------------
// Process side

async function main(argv: string[]) {
  const cfg = JSON.parse(readFileSync(argv[0] ?? '', 'utf8')) as SpeakerMainConfig;
  const speaker = new Speaker({
    routerId: cfg.routerId,
    hostname: cfg.hostname,
    nextHopV4: cfg.nextHopV4,
    nextHopV6: cfg.nextHopV6,
    listen: cfg.listen,
    restarting: cfg.restarting,
    clock: systemClock,
    random: Math.random,
    log: createLogger({ level: cfg.logLevel ?? 'info', format: 'json' }),
    metrics: new Registry(),
  });
  speaker.setPeers(cfg.peers);
  if (cfg.advertisements) speaker.setAdvertisements(new Map(Object.entries(cfg.advertisements)));

  const print = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);
  let lastStatus = '';
  const poll = setInterval(() => {
    const line = JSON.stringify({
      type: 'status',
      peers: speaker.status(),
      advertised: cfg.statusAdvertised === false ? [] : speaker.advertised(),
    });
    if (line !== lastStatus) {
      lastStatus = line;
      process.stdout.write(`${line}\n`);
    }
  }, 50);
  let stopping = false;
  const stop = async (mode: 'withdraw' | 'keep') => {
    if (stopping) return;
    stopping = true;
    clearInterval(poll);
    await speaker.stop(mode);
    print({ type: 'stopped', mode });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('withdraw'));

  let buf = '';
  const dec = new TextDecoder();
  for await (const chunk of Bun.stdin.stream()) {
    buf += dec.decode(chunk, { stream: true });
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (!line) continue;
      const c = JSON.parse(line) as { cmd: string } & Record<string, unknown>;
      if (c.cmd === 'advertise') {
        speaker.setAdvertisements(new Map(Object.entries(c.advertisements as Record<string, string[]>)));
      } else if (c.cmd === 'peers') speaker.setPeers(c.peers as PeerConfig[]);
      else if (c.cmd === 'stop') await stop(c.mode === 'keep' ? 'keep' : 'withdraw');
      else print({ type: 'error', message: `unknown command ${c.cmd}` });
    }
  }
  // stdin closed (the test process died): withdraw and leave.
  await stop('withdraw');
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`speaker-main: ${err instanceof Error ? (err.stack ?? err.message) : err}\n`);
    process.exit(1);
  });
}
