/**
 * Runs one BfdManager as its own process (inside a LAN namespace, through `ip netns exec`)
 * for interop tests, fixture capture and the idle benchmark, and the test-side client.
 *
 * Process: `bun test/bfd/bfd-main.ts CONFIG.json`. Logs go to stderr. Commands are JSON
 * lines on stdin: {"cmd":"update","peer":P,"profile":{...}}, {"cmd":"adminDown","peer":P},
 * {"cmd":"adminUp","peer":P}, {"cmd":"stop"}. stdout gets
 *   {"type":"status","peers":{P: BfdSnapshot},"counters":BfdCounters}  whenever it changes (polled every 50 ms),
 *   {"type":"event",...BfdManagerEvent}                                   on every manager event,
 *   {"type":"rx","hex":..,"peer":..,"ttl":..}                             per datagram when `capture` is set,
 *   {"type":"tx","hex":..,"peer":..}                                      per packet sent when `capture` is set.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BfdCounters, BfdManagerEvent, BfdPeer } from '../../agent/bfd/manager.ts';
import { BfdManager } from '../../agent/bfd/manager.ts';
import type { BfdProfile } from '../../agent/bfd/profile.ts';
import type { BfdSnapshot } from '../../agent/bfd/session.ts';
import { udpTransport } from '../../agent/bfd/transport.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { createLogger } from '../../agent/lib/log.ts';
import type { Lan } from '../support/netns.ts';
import { LineReader, type Proc, waitFor } from '../support/proc.ts';

export interface BfdMainConfig {
  peers: BfdPeer[];
  capture?: boolean;
  /** No status lines (the idle benchmark measures the manager alone). */
  quiet?: boolean;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Receive polling period (default the transport's DRAIN_INTERVAL_MS). */
  drainIntervalMs?: number;
  idleDrainIntervalMs?: number;
}

export interface StatusLine {
  type: 'status';
  peers: Record<string, BfdSnapshot>;
  counters: BfdCounters;
}
export interface EventLine {
  type: 'event';
  event: BfdManagerEvent['type'];
  peer: string;
  diagnosticName?: string;
  remote?: boolean;
}
export interface RxLine {
  type: 'rx';
  hex: string;
  peer: string;
  ttl: number;
}

export interface BfdProcess {
  readonly proc: Proc;
  readonly out: LineReader;
  send(cmd: Record<string, unknown>): void;
  update(peer: string, profile: BfdProfile): void;
  last(): StatusLine | undefined;
  events(): EventLine[];
  rx(): RxLine[];
  tx(): RxLine[];
  /** Waits until the latest status shows the peer satisfying pred. */
  waitPeer(
    peer: string,
    pred: (s: BfdSnapshot) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<BfdSnapshot>;
  stop(): Promise<void>;
}

const SELF = import.meta.path;

function parse(l: string): { type?: string } | undefined {
  try {
    return JSON.parse(l) as { type?: string };
  } catch {
    return undefined;
  }
}

export function startBfdMain(lan: Lan, host: string, cfg: BfdMainConfig, tag = 'bfd'): BfdProcess {
  const file = join(lan.dir, `${tag}-${host}.json`);
  writeFileSync(file, JSON.stringify(cfg));
  const proc = lan.spawn(host, [process.execPath, SELF, file], {
    name: `${tag}@${host}`,
    pipe: true,
    logPath: join(lan.dir, `${tag}-${host}.log`),
  });
  const stdin = proc.child.stdin as import('bun').FileSink;
  const out = new LineReader(proc.child.stdout as ReadableStream<Uint8Array>);
  const lines = <T>(type: string) =>
    out
      .all()
      .map(parse)
      .filter((v) => v?.type === type) as T[];
  const bp: BfdProcess = {
    proc,
    out,
    send(cmd) {
      stdin.write(`${JSON.stringify(cmd)}\n`);
      stdin.flush();
    },
    update: (peer, profile) => bp.send({ cmd: 'update', peer, profile }),
    last() {
      const all = out.all();
      for (let i = all.length - 1; i >= 0; i--) {
        const v = parse(all[i]!);
        if (v?.type === 'status') return v as StatusLine;
      }
      return undefined;
    },
    events: () => lines<EventLine>('event'),
    rx: () => lines<RxLine>('rx'),
    tx: () => lines<RxLine>('tx'),
    waitPeer(peer, pred, what, timeoutMs = 15_000) {
      return waitFor(
        `edgelb BFD ${peer} ${what}`,
        () => {
          if (!proc.running()) throw new Error(`bfd-main exited: ${proc.log().slice(-2000)}`);
          const s = bp.last()?.peers[peer];
          return s && pred(s) ? s : undefined;
        },
        { timeoutMs, intervalMs: 20 },
      ).catch((err: Error) => {
        throw new Error(`${err.message}\nlog:\n${proc.log().slice(-3000)}`);
      });
    },
    async stop() {
      if (!proc.running()) return;
      bp.send({ cmd: 'stop' });
      const t = setTimeout(() => proc.kill(), 3000);
      await proc.exited;
      clearTimeout(t);
    },
  };
  return bp;
}

async function main(argv: string[]) {
  const cfg = JSON.parse(readFileSync(argv[0] ?? '', 'utf8')) as BfdMainConfig;
  const print = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const base = udpTransport({
    clock: systemClock,
    random: Math.random,
    drainIntervalMs: cfg.drainIntervalMs,
    idleDrainIntervalMs: cfg.idleDrainIntervalMs,
  });
  const manager = new BfdManager({
    clock: systemClock,
    random: Math.random,
    log: createLogger({ level: cfg.logLevel ?? 'info', format: 'json' }),
    transport: cfg.capture
      ? (onDatagram) => {
          const t = base((d) => {
            print({ type: 'rx', hex: hex(d.bytes), peer: d.peer, ttl: d.ttl });
            onDatagram(d);
          });
          return {
            ...t,
            send(bytes, peer, family, multihop) {
              print({ type: 'tx', hex: hex(bytes), peer, ttl: 255 });
              return t.send(bytes, peer, family, multihop);
            },
          };
        }
      : base,
  });
  for (const ev of ['up', 'down', 'adminDown'] as const)
    manager.on(ev, (e) => print({ ...e, type: 'event', event: e.type }));
  for (const p of cfg.peers) manager.add(p);

  let lastStatus = '';
  const poll = cfg.quiet
    ? undefined
    : setInterval(() => {
        const line = JSON.stringify({
          type: 'status',
          peers: Object.fromEntries(manager.snapshots()),
          counters: manager.counters(),
        });
        if (line !== lastStatus) {
          lastStatus = line;
          process.stdout.write(`${line}\n`);
        }
      }, 50);
  const stop = () => {
    if (poll) clearInterval(poll);
    manager.close();
    print({ type: 'stopped' });
    process.exit(0);
  };
  process.on('SIGTERM', stop);

  let buf = '';
  const dec = new TextDecoder();
  for await (const chunk of Bun.stdin.stream()) {
    buf += dec.decode(chunk, { stream: true });
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (!line) continue;
      const c = JSON.parse(line) as { cmd: string; peer?: string; profile?: BfdProfile };
      if (c.cmd === 'update' && c.peer && c.profile) manager.update(c.peer, c.profile);
      else if (c.cmd === 'adminDown' && c.peer) manager.adminDown(c.peer);
      else if (c.cmd === 'adminUp' && c.peer) manager.adminUp(c.peer);
      else if (c.cmd === 'stop') stop();
      else print({ type: 'error', message: `unknown command ${c.cmd}` });
    }
  }
  stop();
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`bfd-main: ${err instanceof Error ? (err.stack ?? err.message) : err}\n`);
    process.exit(1);
  });
}
