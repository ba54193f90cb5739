/**
 * The live half of the BGP fuzz: a real Speaker in this process, a well-behaved route
 * collector (`good`) and P raw peers on 127.0.0.10.. that each take every connection the
 * speaker opens to them, bring it to Established with a random capability set (4-octet AS
 * or not, extended messages or not, hold time 0/9/90), then stream a batch of mutated and
 * generated messages that ends with one the oracle says the speaker must reject.
 *
 * The oracle, per message, in Established:
 * - header (marker, length 19..max, type 1..5, per-type length; RFC 4271 §6.1, RFC 7313 §5)
 *   checked from the raw bytes, independently of the codec;
 * - NOTIFICATION: the speaker closes and sends nothing back (RFC 4271 §6.4 note);
 * - OPEN: FSM error 5/3 (RFC 6608 §4);
 * - UPDATE: the codec's verdict (RFC 7606: treat-as-withdraw or discard keeps the session,
 *   anything else resets with the codec's code, subcode and data); KEEPALIVE, ROUTE-REFRESH:
 *   the session stays.
 * A batch passes when the speaker answers with exactly the expected NOTIFICATION (code,
 * subcode, data) and closes, which also proves every message before it was taken without a
 * reset. A batch with no answer within `batchTimeoutMs` is a hang. A wrong answer, a hang,
 * a codec exception that is not a WireError, or an uncaught exception is a finding; findings
 * are written as fixtures (one hex message per line) and replayed by test/fuzz/live.test.ts.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket, TCPSocketListener } from 'bun';
import fc from 'fast-check';
import type { RouteEvent } from '../../agent/bgp/collector.ts';
import { type PeerConfig, Speaker } from '../../agent/bgp/speaker.ts';
import {
  type Capability,
  type DecodeContext,
  decodeMessage,
  encodeKeepalive,
  encodeMessage,
  encodeOpen,
  Framer,
  openFor,
  WireError,
} from '../../agent/bgp/wire/index.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { createLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { GOOD_ASN, GOOD_PREFIXES, goodCollector, heapAfterGc } from '../hostile/harness.ts';
import { peer } from '../support/speaker-main.ts';
import { flushQueue } from '../support/write-queue.ts';
import { arbMessage, mutate, Xorshift32 } from './generators.ts';

export const LIVE_FIXTURES = join(import.meta.dir, '..', 'fixtures', 'bgp', 'crashers', 'live');

const LOCAL_ASN = 65001;
const PEER_ASN = 65010;
const MAX_BATCH = 256;

export type Verdict =
  | { kind: 'ok' }
  | { kind: 'reset'; code: number; subcode: number; data: string }
  | { kind: 'closed' };

export interface Finding {
  kind: 'mismatch' | 'hang' | 'codec-exception' | 'oracle-disagreement' | 'uncaught';
  detail: string;
  ctx: DecodeContext;
  /** Everything sent on the connection after the handshake, one message each. */
  stream: Uint8Array[];
}

export interface LiveStats {
  messages: number;
  bytes: number;
  connections: number;
  /** Batch outcomes by verdict text: "reset 3/1", "closed", ... */
  outcomes: Map<string, number>;
  /** Messages the speaker took without a reset, by type. */
  accepted: Map<string, number>;
  findings: Finding[];
  speakerErrors: string[];
  goodSessionFlapped: boolean;
  heapBeforeMB: number;
  heapAfterMB: number;
  seconds: number;
}

export interface LiveOptions {
  count: number;
  seed: number;
  peers?: number;
  batchTimeoutMs?: number;
  /** Replay these streams (fixtures) instead of generating; one batch each. */
  replay?: { ctx: DecodeContext; stream: Uint8Array[] }[];
  progress?: (s: LiveStats) => void;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** A NOTIFICATION is at most 4096 octets whatever was negotiated, so its data is cut to 4075. */
const notificationData = (b: Uint8Array) => hex(b.subarray(0, 4096 - 21));
const verdictText = (v: Verdict) => (v.kind === 'reset' ? `reset ${v.code}/${v.subcode}` : v.kind);
const verdictData = (v: Verdict) => (v.kind === 'reset' ? v.data : '');

/** RFC 4271 §6.1 / RFC 7313 §5 header checks, from the raw bytes alone. */
export function headerVerdict(b: Uint8Array, maxLength: number): Verdict | undefined {
  for (let i = 0; i < 16; i++) if (b[i] !== 0xff) return { kind: 'reset', code: 1, subcode: 1, data: '' };
  const length = (b[16]! << 8) | b[17]!;
  const lenHex = hex(b.subarray(16, 18));
  if (length < 19 || length > maxLength) return { kind: 'reset', code: 1, subcode: 2, data: lenHex };
  const type = b[18]!;
  if (type < 1 || type > 5) return { kind: 'reset', code: 1, subcode: 3, data: hex(b.subarray(18, 19)) };
  if (type === 5)
    return length === 23 ? undefined : { kind: 'reset', code: 7, subcode: 1, data: notificationData(b) };
  const min = [0, 29, 23, 21, 19][type]!;
  if (length < min || (type === 4 && length !== 19))
    return { kind: 'reset', code: 1, subcode: 2, data: lenHex };
  return undefined;
}

/** What an Established session must do with one whole message; codec misbehaviour comes back as `problem`. */
export function oracle(
  b: Uint8Array,
  ctx: DecodeContext,
): { verdict: Verdict; problem?: Finding['kind']; detail?: string } {
  const header = headerVerdict(b, ctx.maxLength);
  let codec: Verdict;
  let codecCrash: string | undefined;
  try {
    decodeMessage(b, ctx);
    codec = { kind: 'ok' };
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    if (e.cause !== undefined) codecCrash = String((e.cause as Error)?.stack ?? e.cause);
    codec = { kind: 'reset', code: e.code, subcode: e.subcode, data: notificationData(e.data) };
  }
  if (codecCrash) return { verdict: codec, problem: 'codec-exception', detail: codecCrash };
  if (header) {
    const same = verdictText(codec) === verdictText(header) && verdictData(codec) === verdictData(header);
    if (!same)
      return {
        verdict: header,
        problem: 'oracle-disagreement',
        detail: `header check says ${verdictText(header)} ${verdictData(header)}, codec ${verdictText(codec)} ${verdictData(codec)}`,
      };
    return { verdict: header };
  }
  const type = b[18]!;
  if (type === 3) return { verdict: { kind: 'closed' } };
  if (type === 1) return { verdict: { kind: 'reset', code: 5, subcode: 3, data: '' } };
  return { verdict: codec };
}

/** Generated and mutated messages, weighted towards UPDATEs as an Established session sees them. */
function messageSource(seed: number): (rng: Xorshift32, ctx: DecodeContext) => Uint8Array | undefined {
  const sample = (n: number, s: number, as4: boolean) =>
    fc.sample(arbMessage(), { numRuns: n, seed: s }).map((m) => encodeMessage(m, { as4 }));
  const all4 = sample(3000, seed, true);
  const all2 = sample(1000, seed + 1, false);
  const updates4 = all4.filter((b) => b[18] === 2);
  const updates2 = all2.filter((b) => b[18] === 2);
  const quiet = [encodeKeepalive(), ...all4.filter((b) => b[18] === 5 && b.length === 23)];
  return (rng, ctx) => {
    const k = rng.below(32);
    const updates = ctx.as4 ? updates4 : updates2;
    let b: Uint8Array;
    if (k === 0) {
      // Random body behind a valid header.
      b = new Uint8Array(19 + rng.below(200));
      b.fill(0xff, 0, 16);
      b[18] = 1 + rng.below(5);
      for (let j = 19; j < b.length; j++) b[j] = rng.next() & 255;
    } else if (k <= 2) b = (ctx.as4 ? all4 : all2)[rng.below(ctx.as4 ? all4.length : all2.length)]!;
    else if (k <= 4) {
      const list = ctx.as4 ? all4 : all2;
      b = mutate(list[rng.below(list.length)]!, [rng.next()]);
    } else if (k <= 10) b = updates[rng.below(updates.length)]!;
    else if (k <= 12) b = quiet[rng.below(quiet.length)]!;
    else {
      const n = 1 + rng.below(3);
      const seeds: number[] = [];
      for (let j = 0; j < n; j++) seeds.push(rng.next());
      b = mutate(updates[rng.below(updates.length)]!, seeds);
    }
    if (b.length < 19 || b.length > 0xffff) return undefined;
    // A length field inside 19..max must describe this message, or framing of the rest
    // of the stream would depend on it; one outside is kept (the speaker refuses it at once).
    const field = (b[16]! << 8) | b[17]!;
    if (field >= 19 && field <= ctx.maxLength && field !== b.length) {
      b = b.slice();
      b[16] = b.length >> 8;
      b[17] = b.length & 255;
    }
    return b;
  };
}

/** Ends a batch that drew no terminal message: an unknown type, 1/3 with the type as data. */
const PROBE = (() => {
  const b = new Uint8Array(19);
  b.fill(0xff, 0, 16);
  b[17] = 19;
  b[18] = 9;
  return b;
})();

interface Conn {
  socket: Socket<Conn>;
  framer: Framer;
  gotOpen: boolean;
  notifications: { code: number; subcode: number; data: string }[];
  junk: number;
  closed: boolean;
  onEvent: (() => void) | undefined;
  pending: Uint8Array[];
}

export async function runLiveFuzz(o: LiveOptions): Promise<LiveStats> {
  const P = o.replay ? 1 : (o.peers ?? 4);
  const batchTimeoutMs = o.batchTimeoutMs ?? 10_000;
  const stats: LiveStats = {
    messages: 0,
    bytes: 0,
    connections: 0,
    outcomes: new Map(),
    accepted: new Map(),
    findings: [],
    speakerErrors: [],
    goodSessionFlapped: false,
    heapBeforeMB: 0,
    heapAfterMB: 0,
    seconds: 0,
  };
  const bump = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);
  const source = messageSource(o.seed);
  const inFlight = new Map<number, { ctx: DecodeContext; stream: Uint8Array[] }>();
  const onUncaught = (e: unknown) => {
    for (const f of inFlight.values())
      stats.findings.push({ kind: 'uncaught', detail: String((e as Error)?.stack ?? e), ...f });
    if (!inFlight.size)
      stats.findings.push({
        kind: 'uncaught',
        detail: String((e as Error)?.stack ?? e),
        ctx: { as4: true, maxLength: 4096 },
        stream: [],
      });
  };
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);

  const events: RouteEvent[] = [];
  const { collector, port: goodPort } = await goodCollector(events);
  const speaker = new Speaker({
    routerId: '10.255.0.2',
    nextHopV4: '192.0.2.10',
    nextHopV6: '2001:db8::10',
    clock: systemClock,
    random: Math.random,
    log: createLogger({ level: 'error', format: 'json', write: (l) => stats.speakerErrors.push(l) }),
    metrics: new Registry(),
  });

  // Per peer: a listener whose connections each run one batch, until its share is done.
  const share = (i: number) => Math.floor(o.count / P) + (i < o.count % P ? 1 : 0);
  const replay = o.replay ? [...o.replay] : undefined;
  const listeners: TCPSocketListener<Conn>[] = [];
  const drivers: Promise<void>[] = [];
  const peers: PeerConfig[] = [
    peer({
      id: 'good',
      peerAddress: '127.0.0.1',
      peerPort: goodPort,
      localASN: LOCAL_ASN,
      peerASN: GOOD_ASN,
    }),
  ];
  const queues: Conn[][] = [];
  const waiters: ((c: Conn) => void)[] = [];
  for (let i = 0; i < P; i++) {
    queues.push([]);
    const address = `127.0.0.${10 + i}`;
    const listener = Bun.listen<Conn>({
      hostname: address,
      port: 0,
      socket: {
        open: (s) => {
          const c: Conn = {
            socket: s,
            framer: new Framer(65535),
            gotOpen: false,
            notifications: [],
            junk: 0,
            closed: false,
            onEvent: undefined,
            pending: [],
          };
          s.data = c;
          const w = waiters[i];
          if (w) {
            waiters[i] = undefined as never;
            w(c);
          } else queues[i]!.push(c);
        },
        data: (s, d) => {
          const c = s.data;
          try {
            for (const m of c.framer.push(new Uint8Array(d))) {
              if (m[18] === 1) c.gotOpen = true;
              else if (m[18] === 3) {
                const n = decodeMessage(m);
                if (n.type === 'notification')
                  c.notifications.push({ code: n.code, subcode: n.subcode, data: hex(n.data) });
              }
            }
          } catch {
            c.junk++;
          }
          c.onEvent?.();
        },
        drain: (s) => {
          const c = s.data;
          flush(c);
          c.onEvent?.();
        },
        close: (s) => {
          s.data.closed = true;
          s.data.onEvent?.();
        },
        error: (s) => {
          s.data.closed = true;
          s.data.onEvent?.();
        },
      },
    });
    listeners.push(listener);
    peers.push(
      peer({
        id: `fuzz-${i}`,
        peerAddress: address,
        peerPort: listener.port,
        localASN: LOCAL_ASN,
        peerASN: PEER_ASN,
        holdTimeSeconds: 90,
        keepAliveTimeSeconds: 30,
        idleHoldBaseMs: 1,
      }),
    );
  }
  const flush = (c: Conn) => {
    if (!c.closed) flushQueue(c.socket, c.pending);
  };
  const nextConn = (i: number) =>
    new Promise<Conn>((resolve) => {
      const q = queues[i]!.shift();
      if (q) resolve(q);
      else waiters[i] = resolve;
    });
  const waitFor = (c: Conn, cond: () => boolean, ms: number) =>
    new Promise<boolean>((resolve) => {
      if (cond()) return resolve(true);
      const t = setTimeout(() => {
        c.onEvent = undefined;
        resolve(false);
      }, ms);
      c.onEvent = () => {
        if (!cond()) return;
        clearTimeout(t);
        c.onEvent = undefined;
        resolve(true);
      };
    });

  speaker.setAdvertisements(
    new Map([
      ['good', GOOD_PREFIXES],
      ...peers.slice(1).map((p) => [p.id, ['198.51.100.3/32', '2001:db8:100::3/128']] as [string, string[]]),
    ]),
  );
  speaker.setPeers(peers);
  const start = performance.now();
  const deadline = Date.now() + 30_000;
  while (speaker.session('good')?.establishedAt === undefined) {
    if (Date.now() > deadline) throw new Error('the good session did not come up');
    await Bun.sleep(5);
  }
  const goodSince = speaker.session('good')!.establishedAt;
  stats.heapBeforeMB = heapAfterGc() / 1e6;

  let connSeq = 0;
  let reported = 0;
  const drive = async (i: number) => {
    const rng = new Xorshift32(o.seed ^ Math.imul(i + 1, 0x9e3779b1));
    let left = replay ? 0 : share(i);
    while (replay ? replay.length > 0 : left > 0) {
      const c = await nextConn(i);
      const id = connSeq++;
      stats.connections++;
      if (!(await waitFor(c, () => c.gotOpen || c.closed, batchTimeoutMs)) || c.closed) {
        if (!c.closed)
          stats.findings.push({
            kind: 'hang',
            detail: `no OPEN from the speaker within ${batchTimeoutMs} ms of connecting`,
            ctx: { as4: true, maxLength: 4096 },
            stream: [],
          });
        c.socket.terminate();
        continue;
      }
      // Handshake with a random capability set; the oracle decodes with what it negotiates.
      const fixed = replay?.shift();
      const as4 = fixed ? fixed.ctx.as4 : rng.below(5) !== 0;
      const extended = fixed ? fixed.ctx.maxLength > 4096 : rng.below(3) === 0;
      const ctx: DecodeContext = { as4, maxLength: extended ? 65535 : 4096 };
      const caps: Capability[] = [
        { code: 1, afi: 1, safi: 1 },
        { code: 1, afi: 2, safi: 1 },
        { code: 2 },
        ...(as4 ? [{ code: 65 as const, asn: PEER_ASN }] : []),
        ...(extended ? [{ code: 6 as const }] : []),
      ];
      const hold = [0, 9, 90][rng.below(3)]!;
      // Build the batch: messages the session must take, then one it must not.
      const stream: Uint8Array[] = [];
      let expected: Exclude<Verdict, { kind: 'ok' }> | undefined;
      let problem: { kind: Finding['kind']; detail: string } | undefined;
      const candidates = fixed ? fixed.stream : undefined;
      for (
        let n = 0;
        !expected && (candidates ? n < candidates.length : n < Math.min(MAX_BATCH, left));
        n++
      ) {
        const b = candidates ? candidates[n]! : source(rng, ctx);
        if (!b) continue;
        const r = oracle(b, ctx);
        stream.push(b);
        if (r.problem) problem ??= { kind: r.problem, detail: r.detail ?? '' };
        if (r.verdict.kind === 'ok')
          bump(
            stats.accepted,
            ['', 'open', 'update', 'notification', 'keepalive', 'route-refresh'][b[18]!] ?? '?',
          );
        else expected = r.verdict;
      }
      if (!candidates) left -= stream.length;
      stats.messages += stream.length;
      if (!expected) {
        stream.push(PROBE);
        expected = { kind: 'reset', code: 1, subcode: 3, data: '09' };
      }
      if (problem) stats.findings.push({ ...problem, ctx, stream });
      const open = encodeOpen(openFor(PEER_ASN, hold, `10.255.1.${i + 1}`, caps));
      const all = [open, encodeKeepalive(), ...stream];
      for (const b of all) stats.bytes += b.length;
      inFlight.set(id, { ctx, stream });
      c.pending.push(...all);
      flush(c);
      const done = await waitFor(c, () => c.closed, batchTimeoutMs);
      inFlight.delete(id);
      const got = c.notifications;
      const want = expected;
      const ok =
        done &&
        c.junk === 0 &&
        (want.kind === 'closed'
          ? got.length === 0
          : got.length === 1 &&
            got[0]!.code === want.code &&
            got[0]!.subcode === want.subcode &&
            got[0]!.data === want.data);
      bump(stats.outcomes, verdictText(want));
      if (!ok)
        stats.findings.push({
          kind: done ? 'mismatch' : 'hang',
          detail: `expected ${verdictText(want)}${want.kind === 'reset' ? ` data ${want.data || '-'}` : ''}; got ${
            got.map((n) => `${n.code}/${n.subcode} data ${n.data || '-'}`).join(', ') || 'no NOTIFICATION'
          }${c.junk ? `, ${c.junk} unframeable chunks from the speaker` : ''}${done ? ', closed' : `, still open after ${batchTimeoutMs} ms`}`,
          ctx,
          stream,
        });
      if (!done) c.socket.terminate();
      if (stats.messages >= reported + 100_000) {
        reported = stats.messages - (stats.messages % 100_000);
        o.progress?.(stats);
      }
    }
  };
  for (let i = 0; i < P; i++) drivers.push(drive(i));
  await Promise.all(drivers);
  stats.seconds = (performance.now() - start) / 1000;
  stats.goodSessionFlapped =
    speaker.session('good')?.establishedAt !== goodSince ||
    events.some((e) => e.event === 'down' || e.event === 'withdraw');
  await speaker.stop('keep');
  for (const l of listeners) l.stop(true);
  await collector.close();
  stats.heapAfterMB = heapAfterGc() / 1e6;
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  return stats;
}

/** Writes each finding as a fixture; returns the file names. */
export function saveFindings(findings: Finding[], dir = LIVE_FIXTURES): string[] {
  mkdirSync(dir, { recursive: true });
  return findings.map((f) => {
    const body = f.stream.map(hex).join('\n');
    const name = `${f.kind}-${Bun.hash(body).toString(16)}.hex`;
    writeFileSync(
      join(dir, name),
      `# ${f.kind}: ${f.detail.split('\n')[0]}\n# as4 ${f.ctx.as4} maxLength ${f.ctx.maxLength}\n${body}\n`,
    );
    return name;
  });
}

export function loadFixtures(
  dir = LIVE_FIXTURES,
): { name: string; ctx: DecodeContext; stream: Uint8Array[] }[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.hex'));
  } catch {
    return [];
  }
  return files.map((name) => {
    const lines = readFileSync(join(dir, name), 'utf8').split('\n');
    const m = /as4 (true|false) maxLength (\d+)/.exec(lines.find((l) => l.startsWith('# as4')) ?? '');
    return {
      name,
      ctx: { as4: m?.[1] !== 'false', maxLength: Number(m?.[2] ?? 4096) },
      stream: lines.filter((l) => l && !l.startsWith('#')).map((l) => new Uint8Array(Buffer.from(l, 'hex'))),
    };
  });
}
