/**
 * `bun run fuzz:bgp [--count N] [--live-count N] [--peers P] [--seed S] [--decoder-only | --live-only]`:
 * 1. pushes N (default 1,000,000) mutated and generated BGP messages through the decoder
 *    (three decode contexts: 4-octet, 2-octet, extended messages) and the framer. The only
 *    acceptable failure is a WireError from the codec itself; anything else is a crasher,
 *    saved under test/fixtures/bgp/crashers/ as hex (replayed by test/bgp/crashers.test.ts);
 * 2. streams --live-count (default N) messages through live sessions of a real Speaker with
 *    P raw peers on loopback (test/fuzz/live.ts): every rejected message must get the
 *    RFC-correct NOTIFICATION, nothing may hang or throw, the other session must not flap,
 *    the heap must stay bounded. Findings go to test/fixtures/bgp/crashers/live/ (replayed by
 *    test/fuzz/live.test.ts).
 * Prints counts, outcomes and time. Exit 1 on any crasher or finding.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  type DecodeContext,
  decodeMessage,
  encodeMessage,
  Framer,
  WireError,
} from '../../agent/bgp/wire/index.ts';
import { arbMessage, mutate, Xorshift32 } from './generators.ts';
import { runLiveFuzz, saveFindings } from './live.ts';

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const COUNT = arg('--count', 1_000_000);
const LIVE_COUNT = arg('--live-count', COUNT);
const PEERS = arg('--peers', 4);
const SEED = arg('--seed', 20261124);
const DECODER = !args.includes('--live-only');
const LIVE = !args.includes('--decoder-only');
/** Heap growth over the live run that counts as unbounded (MB). */
const LIVE_HEAP_SLACK_MB = 16;
const CRASH_DIR = join(import.meta.dir, '..', 'fixtures', 'bgp', 'crashers');

const CTXS: DecodeContext[] = [
  { as4: true, maxLength: 4096 },
  { as4: false, maxLength: 4096 },
  { as4: true, maxLength: 65535 },
];

const rng = new Xorshift32(SEED);

function decoderFuzz(): boolean {
  const t0 = performance.now();
  const corpus = fc
    .sample(arbMessage(), { numRuns: 3000, seed: SEED })
    .map((m) => encodeMessage(m, { as4: true }));
  const corpus2 = fc
    .sample(arbMessage(), { numRuns: 1000, seed: SEED + 1 })
    .map((m) => encodeMessage(m, { as4: false }));
  // Real messages captured from FRR and BIRD seed the mutator too.
  const CAPTURES = join(import.meta.dir, '..', 'fixtures', 'bgp', 'captures');
  const captured = readdirSync(CAPTURES)
    .filter((f) => f.endsWith('.hex'))
    .flatMap((f) => readFileSync(join(CAPTURES, f), 'utf8').split('\n'))
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => Uint8Array.from(l.match(/../g)!.map((h) => Number.parseInt(h, 16))));
  const bases = [...corpus, ...corpus2, ...captured, ...captured, ...captured];
  const tCorpus = performance.now() - t0;

  const outcomes = new Map<string, number>();
  const bump = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  const crashers: { bytes: Uint8Array; error: string }[] = [];
  let messages = 0;
  let bytes = 0;

  function check(b: Uint8Array, ctx: DecodeContext): void {
    messages++;
    bytes += b.length;
    try {
      const m = decodeMessage(b, ctx);
      if (m.type === 'update' && m.error) bump(`withdraw ${m.error.code}/${m.error.subcode}`);
      else if (m.type === 'update' && m.discarded) bump('discard');
      else bump(`ok ${m.type}`);
    } catch (e) {
      if (e instanceof WireError && e.cause === undefined) bump(`reset ${e.code}/${e.subcode}`);
      else {
        bump('CRASH');
        if (crashers.length < 50) crashers.push({ bytes: b, error: String((e as Error)?.stack ?? e) });
      }
    }
  }

  const t1 = performance.now();
  for (let i = 0; i < COUNT; i++) {
    const kind = rng.next() % 16;
    const ctx = CTXS[rng.next() % 3]!;
    if (kind === 0) {
      // Fully random body behind a valid header.
      const len = rng.next() % 200;
      const b = new Uint8Array(19 + len);
      b.fill(0xff, 0, 16);
      b[16] = b.length >> 8;
      b[17] = b.length & 255;
      b[18] = 1 + (rng.next() % 5);
      for (let j = 19; j < b.length; j++) b[j] = rng.next() & 255;
      check(b, ctx);
    } else if (kind === 1) {
      // Unmutated generated message.
      check(bases[rng.next() % bases.length]!, ctx);
    } else {
      const n = 1 + (rng.next() % 6);
      const seeds: number[] = [];
      for (let j = 0; j < n; j++) seeds.push(rng.next());
      check(mutate(bases[rng.next() % bases.length]!, seeds), ctx);
    }
  }
  // The framer on random splits of concatenated mutated streams (bounded).
  let framed = 0;
  for (let i = 0; i < Math.min(20_000, COUNT / 50); i++) {
    const f = new Framer(65535);
    const parts = [
      bases[rng.next() % bases.length]!,
      mutate(bases[rng.next() % bases.length]!, [rng.next(), rng.next()]),
    ];
    const all = new Uint8Array(parts[0]!.length + parts[1]!.length);
    all.set(parts[0]!);
    all.set(parts[1]!, parts[0]!.length);
    const cut = rng.next() % (all.length + 1);
    try {
      framed += f.push(all.subarray(0, cut)).length + f.push(all.subarray(cut)).length;
    } catch (e) {
      if (!(e instanceof WireError)) {
        bump('CRASH framer');
        crashers.push({ bytes: all, error: String(e) });
      }
    }
  }
  const seconds = (performance.now() - t1) / 1000;

  console.log(
    `bgp fuzz: seed ${SEED}, corpus ${corpus.length + corpus2.length} generated + ${captured.length} captured messages in ${tCorpus.toFixed(0)} ms`,
  );
  console.log(
    `decoded ${messages.toLocaleString('en')} messages (${(bytes / 1e6).toFixed(1)} MB) in ${seconds.toFixed(2)} s: ` +
      `${Math.round(messages / seconds).toLocaleString('en')} msg/s; framer: ${framed} messages from split streams`,
  );
  for (const [k, v] of [...outcomes].sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(16)} ${v}`);
  if (crashers.length) {
    mkdirSync(CRASH_DIR, { recursive: true });
    for (const c of crashers) {
      const hex = [...c.bytes].map((x) => x.toString(16).padStart(2, '0')).join('');
      const name = `${Bun.hash(hex).toString(16)}.hex`;
      writeFileSync(join(CRASH_DIR, name), `${hex}\n`);
      console.log(`CRASHER ${name}: ${c.error.split('\n')[0]}`);
    }
    return false;
  }
  console.log('no crashers');
  return true;
}

async function liveFuzz(): Promise<boolean> {
  console.log(`live fuzz: ${LIVE_COUNT.toLocaleString('en')} messages through ${PEERS} sessions on loopback`);
  const r = await runLiveFuzz({
    count: LIVE_COUNT,
    seed: SEED,
    peers: PEERS,
    progress: (p) =>
      console.log(`  ... ${p.messages.toLocaleString('en')} messages, ${p.connections} connections`),
  });
  const accepted = [...r.accepted.values()].reduce((a, b) => a + b, 0);
  console.log(
    `live: ${r.messages.toLocaleString('en')} messages (${(r.bytes / 1e6).toFixed(1)} MB) over ${r.connections.toLocaleString('en')} connections in ${r.seconds.toFixed(1)} s: ` +
      `${Math.round(r.messages / r.seconds).toLocaleString('en')} msg/s; ${accepted.toLocaleString('en')} taken without a reset`,
  );
  for (const [k, v] of [...r.accepted].sort((a, b) => b[1] - a[1]))
    console.log(`  taken ${k.padEnd(16)} ${v}`);
  for (const [k, v] of [...r.outcomes].sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(22)} ${v}`);
  const growth = r.heapAfterMB - r.heapBeforeMB;
  console.log(
    `heap after GC ${r.heapBeforeMB.toFixed(1)} -> ${r.heapAfterMB.toFixed(1)} MB; other session flapped: ${r.goodSessionFlapped}; speaker errors logged: ${r.speakerErrors.length}`,
  );
  let ok = true;
  if (r.findings.length) {
    for (const [n, f] of saveFindings(r.findings.slice(0, 50)).entries())
      console.log(`FINDING ${f}: ${r.findings[n]!.detail.split('\n')[0]}`);
    console.log(`${r.findings.length} findings`);
    ok = false;
  }
  if (r.goodSessionFlapped) ok = false;
  if (growth > LIVE_HEAP_SLACK_MB) {
    console.log(`heap grew ${growth.toFixed(1)} MB (bound ${LIVE_HEAP_SLACK_MB} MB)`);
    ok = false;
  }
  console.log(ok ? 'live: no findings' : 'live: FAILED');
  return ok;
}

let pass = true;
if (DECODER) pass = decoderFuzz() && pass;
if (LIVE) pass = (await liveFuzz()) && pass;
process.exit(pass ? 0 : 1);
