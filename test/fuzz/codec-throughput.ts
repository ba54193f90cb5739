/**
 * `bun test/fuzz/codec-throughput.ts`: codec figures (not a timed test). Packs N /32 and
 * /128 into UPDATEs, decodes them back through the framer, and times a speaker announcing
 * them to the collector on loopback.
 */
import { Collector } from '../../agent/bgp/collector.ts';
import { outboundAttributes } from '../../agent/bgp/rib/outbound.ts';
import { packIPv4Announce, packIPv6Announce } from '../../agent/bgp/rib/pack.ts';
import { Speaker } from '../../agent/bgp/speaker.ts';
import {
  decodeMessage,
  encodeAttributes,
  Framer,
  parseIPv6,
  parsePrefix,
  type WirePrefix,
} from '../../agent/bgp/wire/index.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';

const v4 = (n: number) =>
  Array.from({ length: n }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`);
const v6 = (n: number) =>
  Array.from(
    { length: n },
    (_, i) => `2001:db8:1::${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}/128`,
  );
const ms = (t: number) => `${(performance.now() - t).toFixed(1)} ms`;

const attrs = encodeAttributes(
  outboundAttributes({
    localASN: 65001,
    peerASN: 65000,
    as4: true,
    nextHopV4: '192.0.2.10',
    communities: ['65001:100'],
    largeCommunities: [],
  }),
  { as4: true },
);

for (const n of [100_000, 1_000_000]) {
  const text = v4(n);
  let t = performance.now();
  const wire: WirePrefix[] = text.map((p) => parsePrefix(p)!);
  const parse = ms(t);
  for (const max of [4096, 65535]) {
    t = performance.now();
    const msgs = packIPv4Announce(attrs, wire, max);
    const pack = ms(t);
    const total = msgs.reduce((a, m) => a + m.length, 0);
    const stream = new Uint8Array(total);
    let o = 0;
    for (const m of msgs) {
      stream.set(m, o);
      o += m.length;
    }
    t = performance.now();
    const f = new Framer(max);
    let prefixes = 0;
    for (let i = 0; i < stream.length; i += 65536) {
      for (const m of f.push(stream.subarray(i, i + 65536))) {
        const u = decodeMessage(m, { as4: true, maxLength: max });
        if (u.type === 'update') prefixes += u.nlri.length;
      }
    }
    const dec = ms(t);
    console.log(
      `IPv4 ${n.toLocaleString('en')} /32, max ${max}: parse ${parse}, pack ${pack} -> ${msgs.length} UPDATEs ` +
        `(${(total / 1e6).toFixed(2)} MB); frame+decode ${dec} (${prefixes} prefixes)`,
    );
  }
}
{
  const n = 100_000;
  const wire = v6(n).map((p) => parsePrefix(p)!);
  const noNh = encodeAttributes({ origin: 0, asPath: [{ type: 2, asns: [65001] }] }, { as4: true });
  const t = performance.now();
  const msgs = packIPv6Announce(noNh, parseIPv6('2001:db8::10')!, wire, 4096);
  console.log(`IPv6 ${n.toLocaleString('en')} /128, max 4096: pack ${ms(t)} -> ${msgs.length} UPDATEs`);
}

// End to end on loopback: speaker -> collector.
for (const n of [10_000, 100_000]) {
  let got = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((r) => {
    done = r;
  });
  let established = 0;
  const c = new Collector({
    asn: 65000,
    routerId: '10.255.0.1',
    listen: { address: '127.0.0.1', port: 0 },
    clock: systemClock,
    random: Math.random,
    log: memoryLogger('error'),
    onEvent: (e) => {
      if (e.event === 'established') established = performance.now();
      if (e.event === 'announce' && ++got === n) done();
    },
  });
  const { port } = await c.listen();
  const s = new Speaker({
    routerId: '10.255.0.2',
    nextHopV4: '192.0.2.10',
    clock: systemClock,
    random: Math.random,
    log: memoryLogger('error'),
    metrics: new Registry(),
  });
  const rss0 = process.memoryUsage().rss;
  s.setAdvertisements(new Map([['r', v4(n)]]));
  s.setPeers([
    {
      id: 'r',
      peerAddress: '127.0.0.1',
      peerPort: port,
      localASN: 65001,
      peerASN: 65000,
      localAddress: '127.0.0.2',
      holdTimeSeconds: 90,
      keepAliveTimeSeconds: 30,
      connectRetryTimeSeconds: 5,
      gracefulRestart: { enabled: true, restartTimeSeconds: 120 },
      communities: [],
      largeCommunities: [],
    },
  ]);
  await all;
  console.log(
    `loopback speaker -> collector: ${n.toLocaleString('en')} /32 in ${(performance.now() - established).toFixed(0)} ms ` +
      `after Established (RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB, +${((process.memoryUsage().rss - rss0) / 1e6).toFixed(0)} MB)`,
  );
  await s.stop('withdraw');
  await c.close();
}
process.exit(0);
