/**
 * The hostile-peer harness: a real Speaker in-process with two peers, a well-behaved
 * route collector (`good`, edgelb's own Collector) and a raw TCP peer (`hostile`, Bun.listen
 * on 127.0.0.3) whose every connection runs a script the test queues. When no script is
 * queued the raw peer behaves well (OPEN, KEEPALIVE, a KEEPALIVE each second), which is
 * how a test proves the speaker recovers.
 */
import { expect } from 'bun:test';
import { readdirSync } from 'node:fs';
import type { Socket, TCPSocketListener } from 'bun';
import { Collector, type RouteEvent } from '../../agent/bgp/collector.ts';
import { type PeerConfig, Speaker } from '../../agent/bgp/speaker.ts';
import {
  type Capability,
  decodeMessage,
  encodeKeepalive,
  encodeNotification,
  encodeOpen,
  Framer,
  type Message,
  type NotificationMessage,
  type OpenMessage,
  openFor,
  WireError,
} from '../../agent/bgp/wire/index.ts';
import { type Clock, systemClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { flushQueue } from '../support/write-queue.ts';

export const HOSTILE_ADDRESS = '127.0.0.3';
export const HOSTILE_ASN = 65003;
export const LOCAL_ASN = 65001;
export const GOOD_ASN = 65000;
export const GOOD_PREFIXES = ['198.51.100.1/32', '2001:db8:100::1/128'];
export const HOSTILE_PREFIXES = ['198.51.100.3/32'];

export async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await Bun.sleep(5);
  }
}

/** One TCP connection accepted by the raw peer: everything received, framed and decoded. */
export class RawConn {
  readonly chunks: Uint8Array[] = [];
  readonly messages: Message[] = [];
  /** Bytes the harness could not frame or decode (the speaker sent something malformed). */
  readonly decodeErrors: WireError[] = [];
  received = 0;
  isClosed = false;
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  private framer = new Framer(65535);
  private pendingWrite: Uint8Array[] = [];
  private drained: (() => void) | undefined;
  private timers: ReturnType<typeof setInterval>[] = [];

  constructor(readonly socket: Socket<RawConn | undefined>) {
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
  }

  onData(d: Uint8Array): void {
    this.received += d.length;
    this.chunks.push(d.slice());
    try {
      for (const m of this.framer.push(d))
        this.messages.push(decodeMessage(m, { as4: true, maxLength: 65535 }));
    } catch (e) {
      if (e instanceof WireError) this.decodeErrors.push(e);
      else throw e;
    }
  }

  onClose(): void {
    this.isClosed = true;
    for (const t of this.timers) clearInterval(t);
    this.resolveClosed();
  }

  onDrain(): void {
    this.flush();
    if (!this.pendingWrite.length) this.drained?.();
  }

  /** Writes bytes, queueing what the socket does not take now. */
  send(b: Uint8Array): void {
    if (this.isClosed) return;
    this.pendingWrite.push(b);
    this.flush();
  }

  /** Writes bytes and resolves once the kernel took all of them, or the connection closed. */
  async sendAll(b: Uint8Array): Promise<void> {
    this.send(b);
    while (this.pendingWrite.length && !this.isClosed)
      await Promise.race([new Promise<void>((r) => (this.drained = r)), this.closed]);
  }

  private flush(): void {
    if (!this.isClosed) flushQueue(this.socket, this.pendingWrite);
  }

  every(ms: number, fn: () => void): void {
    this.timers.push(setInterval(fn, ms));
  }

  of<T extends Message['type']>(type: T): Extract<Message, { type: T }>[] {
    return this.messages.filter((m): m is Extract<Message, { type: T }> => m.type === type);
  }

  async waitMessage<T extends Message['type']>(type: T, ms = 5000): Promise<Extract<Message, { type: T }>> {
    await until(`a ${type} from the speaker`, () => this.of(type).length > 0 || this.isClosed, ms);
    const m = this.of(type)[0];
    if (!m) throw new Error(`connection closed without a ${type}; got ${this.messages.map((x) => x.type)}`);
    return m;
  }

  /** The NOTIFICATION the speaker sent, after which it must close the connection. */
  async notification(ms = 5000): Promise<NotificationMessage> {
    const n = await this.waitMessage('notification', ms);
    await Promise.race([this.closed, Bun.sleep(ms).then(() => Promise.reject(new Error('not closed')))]);
    return n;
  }

  end(): void {
    this.socket.end();
  }
}

export type Script = (c: RawConn) => void | Promise<void>;

export function rawOpen(o: Partial<OpenMessage> & { asn?: number; caps?: Capability[] } = {}): Uint8Array {
  const asn = o.asn ?? HOSTILE_ASN;
  const caps: Capability[] = o.caps ?? [
    { code: 1, afi: 1, safi: 1 },
    { code: 1, afi: 2, safi: 1 },
    { code: 2 },
    { code: 65, asn },
  ];
  const m = openFor(asn, o.holdTime ?? 9, o.bgpId ?? '10.255.0.3', caps);
  return encodeOpen({ ...m, ...(o.myAS !== undefined ? { myAS: o.myAS } : {}) });
}

/** Answers the speaker's OPEN with a correct OPEN and KEEPALIVE, then keeps the session alive. */
export const wellBehaved =
  (holdTime = 9): Script =>
  async (c) => {
    await c.waitMessage('open');
    c.send(rawOpen({ holdTime }));
    c.send(encodeKeepalive());
    c.every(1000, () => c.send(encodeKeepalive()));
  };

/** A raw BGP peer on loopback whose connections run queued scripts. */
export class RawPeer {
  private listener: TCPSocketListener<RawConn | undefined> | undefined;
  private scripts: Script[] = [];
  readonly conns: RawConn[] = [];
  port = 0;

  constructor(
    readonly hostname = HOSTILE_ADDRESS,
    private readonly fallback: Script = wellBehaved(),
  ) {}

  listen(): number {
    this.listener = Bun.listen<RawConn | undefined>({
      hostname: this.hostname,
      port: 0,
      socket: {
        open: (s) => {
          const c = new RawConn(s);
          s.data = c;
          this.conns.push(c);
          const script = this.scripts.shift() ?? this.fallback;
          void Promise.resolve(script(c)).catch(() => c.end());
        },
        data: (s, d) => s.data?.onData(new Uint8Array(d)),
        drain: (s) => s.data?.onDrain(),
        close: (s) => s.data?.onClose(),
        error: (s) => s.data?.onClose(),
      },
    });
    this.port = this.listener.port;
    return this.port;
  }

  /** Runs `script` on the next connection the speaker opens; resolves with that connection. */
  next(script: Script): Promise<RawConn> {
    return new Promise((resolve) =>
      this.scripts.push((c) => {
        resolve(c);
        return script(c);
      }),
    );
  }

  get current(): RawConn | undefined {
    return this.conns.filter((c) => !c.isClosed).at(-1);
  }

  /** Drops the current connection with a Cease so the speaker reconnects (and runs the next script). */
  dropCurrent(): void {
    const c = this.current;
    if (!c) return;
    c.send(encodeNotification({ code: 6, subcode: 4, data: new Uint8Array(0) }));
    c.end();
  }

  stop(): void {
    for (const c of this.conns) if (!c.isClosed) c.socket.terminate();
    this.listener?.stop(true);
  }
}

export interface World {
  speaker: Speaker;
  raw: RawPeer;
  collector: Collector;
  events: RouteEvent[];
  log: ReturnType<typeof memoryLogger>;
  metrics: Registry;
  goodSince: number;
  listenPort: number | undefined;
  /** The peer configurations given to setPeers: [good, hostile]. */
  peers: PeerConfig[];
  /** Runs `script` on a fresh connection: queues it, drops the current one, returns the new one. */
  fresh(script: Script): Promise<RawConn>;
  stop(): Promise<void>;
}

export function hostilePeer(port: number, over: Partial<PeerConfig> = {}): PeerConfig {
  return {
    id: 'hostile',
    peerAddress: HOSTILE_ADDRESS,
    peerPort: port,
    localASN: LOCAL_ASN,
    peerASN: HOSTILE_ASN,
    localAddress: '127.0.0.2',
    holdTimeSeconds: 9,
    keepAliveTimeSeconds: 1,
    connectRetryTimeSeconds: 1,
    gracefulRestart: { enabled: true, restartTimeSeconds: 120 },
    communities: [],
    largeCommunities: [],
    idleHoldBaseMs: 20,
    ...over,
  };
}

/** The well-behaved route collector on 127.0.0.1 (AS GOOD_ASN) that records what it is sent. */
export async function goodCollector(events: RouteEvent[]): Promise<{ collector: Collector; port: number }> {
  const collector = new Collector({
    asn: GOOD_ASN,
    routerId: '10.255.0.1',
    listen: { address: '127.0.0.1', port: 0 },
    holdTimeSeconds: 9,
    clock: systemClock,
    random: Math.random,
    log: memoryLogger('error'),
    onEvent: (e) => events.push(e),
  });
  const { port } = await collector.listen();
  return { collector, port };
}

/** A speaker with a good and a hostile peer, both Established, the good one holding its routes. */
export async function startWorld(
  o: {
    listenPort?: number;
    clock?: Clock;
    hostile?: Partial<PeerConfig>;
    /** TEST ONLY speaker option: a shortened RFC 9687 SendHoldTime. */
    sendHoldTimeMs?: number;
  } = {},
): Promise<World> {
  const events: RouteEvent[] = [];
  const { collector, port: goodPort } = await goodCollector(events);
  const raw = new RawPeer();
  const rawPort = raw.listen();
  const log = memoryLogger('debug');
  const metrics = new Registry();
  const speaker = new Speaker({
    routerId: '10.255.0.2',
    nextHopV4: '192.0.2.10',
    nextHopV6: '2001:db8::10',
    clock: o.clock ?? systemClock,
    random: Math.random,
    log,
    metrics,
    ...(o.listenPort ? { listen: { address: '127.0.0.1', port: o.listenPort } } : {}),
    ...(o.sendHoldTimeMs !== undefined ? { sendHoldTimeMs: o.sendHoldTimeMs } : {}),
  });
  speaker.setAdvertisements(
    new Map([
      ['good', GOOD_PREFIXES],
      ['hostile', HOSTILE_PREFIXES],
    ]),
  );
  const peers = [
    hostilePeer(goodPort, {
      id: 'good',
      peerAddress: '127.0.0.1',
      peerASN: GOOD_ASN,
      keepAliveTimeSeconds: 3,
    }),
    hostilePeer(rawPort, o.hostile),
  ];
  speaker.setPeers(peers);
  const w: World = {
    speaker,
    raw,
    collector,
    events,
    log,
    metrics,
    goodSince: 0,
    listenPort: o.listenPort,
    peers,
    async fresh(script) {
      const next = raw.next(script);
      raw.dropCurrent();
      return next;
    },
    async stop() {
      await speaker.stop('keep');
      raw.stop();
      await collector.close();
    },
  };
  await until('both sessions Established', () => speaker.status().every((p) => p.state === 'Established'));
  await until('the good routes at the collector', () => announced(events).length === GOOD_PREFIXES.length);
  w.goodSince = speaker.session('good')!.establishedAt!;
  return w;
}

function announced(events: RouteEvent[]): string[] {
  return events.filter((e) => e.event === 'announce').map((e) => e.prefix!);
}

export function peerState(w: World, id: string) {
  return w.speaker.status().find((p) => p.id === id)!;
}

/** The speaker re-establishes with the (now well-behaved) raw peer and re-announces to it. */
export async function expectRecovered(w: World, ms = 5000): Promise<void> {
  await until(
    'the hostile session to come back Established',
    () => {
      const c = w.raw.current;
      return peerState(w, 'hostile').state === 'Established' && !!c && c.of('keepalive').length > 0;
    },
    ms,
  );
  const c = w.raw.current!;
  await until('the hostile peer to get its routes again', () =>
    c.of('update').some((u) => u.nlri.includes(HOSTILE_PREFIXES[0]!)),
  );
}

/** The good session never flapped, never got a withdraw, and still holds its routes. */
export function expectGoodUnaffected(w: World): void {
  const good = peerState(w, 'good');
  expect(good.state).toBe('Established');
  expect(w.speaker.session('good')!.establishedAt).toBe(w.goodSince);
  expect(good.advertised).toBe(GOOD_PREFIXES.length);
  expect(w.events.filter((e) => e.event === 'down' || e.event === 'withdraw')).toEqual([]);
  expect(announced(w.events).sort()).toEqual([...GOOD_PREFIXES].sort());
  expect(w.collector.size).toBe(1);
}

/** Heap in use after a full collection (bytes). */
export function heapAfterGc(): number {
  Bun.gc(true);
  Bun.gc(true);
  return process.memoryUsage().heapUsed;
}

export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}
