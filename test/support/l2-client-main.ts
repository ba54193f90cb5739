/**
 * The L2 lab's client, run inside the client namespace (test/support/l2-lab.ts starts it):
 *
 * - a witness: every `intervalMs` it broadcasts one ARP request per IPv4 and one multicast
 *   Neighbor Solicitation (to the solicited-node group) per IPv6 address, and reports every MAC
 *   that answered each request. Each request carries its own sender address (ARP sender IP /
 *   IPv6 source, taken from a block of unused tag addresses), which the answer is sent back to,
 *   so every answer is matched to the exact request it answers: two MACs for one request means
 *   two nodes answered at the same time, never a late answer mixed with a newer one.
 *   Frames are built and read here byte by byte (not with agent/l2/wire), so the witness does not
 *   share the codec it judges; only the socket calls of agent/l2/packet-socket.ts are reused.
 * - a TCP prober: `{"cmd":"connect", ...}` tries short connections until one is answered by a node
 *   (optionally: by a node other than `not`), and reports when (epoch ms) and by whom.
 *
 * argv[2]: JSON {ifname, mac, tag4, tag6, tags, ips, intervalMs}. stdout: JSON lines
 * {"type":"answers", ip, seq, at, macs} per request (once settled), {"type":"connected", ...}.
 */
import { connect } from 'node:net';
import {
  closeSocket,
  ETH_P_ARP,
  ETH_P_IPV6,
  ifNameToIndex,
  openPacketSocket,
  PACKET_OUTGOING,
  recvFrame,
  sendFrame,
} from '../../agent/l2/packet-socket.ts';

interface Args {
  ifname: string;
  mac: string;
  /** First IPv4 tag address (e.g. 192.168.2.100): tags use tag4 + 0 .. tags-1. */
  tag4: string;
  /** First IPv6 tag address (e.g. fd00:2::1:0). */
  tag6: string;
  tags: number;
  ips: string[];
  intervalMs: number;
}

/** A request is reported this many intervals after it was sent (late answers still count). */
const SETTLE_INTERVALS = 5;
const DRAIN_MS = 5;

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const mac = parseMac(args.mac);
const ifindex = ifNameToIndex(args.ifname);
const arpFd = openPacketSocket(ifindex, ETH_P_ARP, 'all');
const v6Fd = openPacketSocket(ifindex, ETH_P_IPV6, 'all');
const v4 = args.ips.filter((ip) => !ip.includes(':'));
const v6 = args.ips.filter((ip) => ip.includes(':'));
const tag4 = parseV4(args.tag4);
const tag6 = parseV6(args.tag6);

/** key "ip#seq" -> sent time and the MACs that answered. */
const pending = new Map<string, { ip: string; seq: number; at: number; macs: Set<string> }>();
let seq = 0;

function emit(o: object): void {
  process.stdout.write(`${JSON.stringify(o)}\n`);
}

function round(): void {
  const s = seq++;
  const now = Date.now();
  const t4 = addV4(tag4, s % args.tags);
  const t6 = addV6(tag6, s % args.tags);
  for (const ip of v4) {
    pending.set(`${ip}#${s}`, { ip, seq: s, at: now, macs: new Set() });
    sendFrame(arpFd, arpRequest(mac, t4, parseV4(ip)));
  }
  for (const ip of v6) {
    pending.set(`${ip}#${s}`, { ip, seq: s, at: now, macs: new Set() });
    sendFrame(v6Fd, neighborSolicitation(mac, t6, parseV6(ip)));
  }
  for (const [k, p] of pending) {
    if (p.seq > s - SETTLE_INTERVALS) continue;
    pending.delete(k);
    emit({ type: 'answers', ip: p.ip, seq: p.seq, at: p.at, macs: [...p.macs].sort() });
  }
}

/** The request seq a tag answers, among the requests still pending for ip. */
function record(ip: string, tagIndex: number, from: string): void {
  for (const p of pending.values()) if (p.ip === ip && p.seq % args.tags === tagIndex) p.macs.add(from);
}

const buf = new Uint8Array(2048);
function drain(): void {
  for (let i = 0; i < 256; i++) {
    const r = recvFrame(arpFd, buf);
    if (r === 'empty') break;
    if (r.pktType === PACKET_OUTGOING) continue;
    const f = r.frame;
    // ARP reply (op 2) to one of our tags: sender IP at 28, target IP at 38.
    if (f.length < 42 || f[20] !== 0 || f[21] !== 2) continue;
    const target = readU32(f, 38);
    const idx = target - tag4;
    if (idx < 0 || idx >= args.tags) continue;
    record(formatV4(readU32(f, 28)), idx, formatMac(f.subarray(6, 12)));
  }
  for (let i = 0; i < 256; i++) {
    const r = recvFrame(v6Fd, buf);
    if (r === 'empty') break;
    if (r.pktType === PACKET_OUTGOING) continue;
    const f = r.frame;
    // Neighbor Advertisement: next header 58 at 20, ICMPv6 type 136 at 54; destination 38..54.
    if (f.length < 78 || f[20] !== 58 || f[54] !== 136) continue;
    const dst = f.subarray(38, 54);
    if (!dst.subarray(0, 14).every((b, j) => b === tag6[j])) continue;
    const idx = ((dst[14]! << 8) | dst[15]!) - ((tag6[14]! << 8) | tag6[15]!);
    if (idx < 0 || idx >= args.tags) continue;
    record(formatV6(f.subarray(62, 78)), idx, formatMac(f.subarray(6, 12)));
  }
}

function arpRequest(src: Uint8Array, sender: number, target: number): Uint8Array {
  const f = new Uint8Array(42);
  f.fill(0xff, 0, 6);
  f.set(src, 6);
  f.set([0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1], 12);
  f.set(src, 22);
  writeU32(f, 28, sender);
  writeU32(f, 38, target);
  return f;
}

function neighborSolicitation(src: Uint8Array, source: Uint8Array, target: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + 40 + 32);
  const group = new Uint8Array(16);
  group.set([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, target[13]!, target[14]!, target[15]!]);
  f.set([0x33, 0x33, 0xff, target[13]!, target[14]!, target[15]!], 0);
  f.set(src, 6);
  f.set([0x86, 0xdd, 0x60, 0, 0, 0, 0, 32, 58, 255], 12);
  f.set(source, 22);
  f.set(group, 38);
  const icmp = f.subarray(54);
  icmp[0] = 135;
  icmp.set(target, 8);
  icmp.set([1, 1], 24);
  icmp.set(src, 26);
  const sum = checksum6(source, group, icmp);
  icmp[2] = sum >> 8;
  icmp[3] = sum & 0xff;
  return f;
}

/** The ICMPv6 checksum (RFC 4443 §2.3) over the pseudo-header and the message. */
function checksum6(src: Uint8Array, dst: Uint8Array, msg: Uint8Array): number {
  let s = 0;
  const add = (b: Uint8Array) => {
    for (let i = 0; i < b.length; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  };
  add(src);
  add(dst);
  s += msg.length + 58;
  add(msg);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

interface ConnectCmd {
  cmd: 'connect';
  id: number;
  ip: string;
  port: number;
  /** Keep trying until a node other than this one answers. */
  not?: string;
  attemptMs: number;
  timeoutMs: number;
}

function attempt(ip: string, port: number, ms: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let data = '';
    const s = connect({ host: ip, port });
    const timer = setTimeout(() => {
      s.destroy();
      resolve(undefined);
    }, ms);
    s.on('data', (d) => {
      data += d.toString();
    });
    s.on('end', () => {
      clearTimeout(timer);
      resolve(data.trim() || undefined);
    });
    s.on('error', () => {
      clearTimeout(timer);
      s.destroy();
      // Refused or unreachable: wait out the attempt so a failing target is not hammered.
      setTimeout(() => resolve(undefined), ms);
    });
  });
}

async function probe(c: ConnectCmd): Promise<void> {
  const start = Date.now();
  let attempts = 0;
  let last: string | undefined;
  while (Date.now() - start < c.timeoutMs) {
    attempts++;
    last = await attempt(c.ip, c.port, c.attemptMs);
    if (last !== undefined && last !== c.not) {
      emit({ type: 'connected', id: c.id, ip: c.ip, node: last, at: Date.now(), attempts });
      return;
    }
  }
  emit({ type: 'connected', id: c.id, ip: c.ip, node: null, last: last ?? null, at: Date.now(), attempts });
}

let input = '';
process.stdin.on('data', (d) => {
  input += d.toString();
  for (let i = input.indexOf('\n'); i >= 0; i = input.indexOf('\n')) {
    const line = input.slice(0, i).trim();
    input = input.slice(i + 1);
    if (line) void probe(JSON.parse(line) as ConnectCmd);
  }
});

const rounds = setInterval(round, args.intervalMs);
const drains = setInterval(drain, DRAIN_MS);
const quit = () => {
  clearInterval(rounds);
  clearInterval(drains);
  closeSocket(arpFd);
  closeSocket(v6Fd);
  process.exit(0);
};
process.on('SIGTERM', quit);
process.stdin.on('end', quit);
emit({ type: 'ready' });

function parseMac(s: string): Uint8Array {
  return Uint8Array.from(s.split(':').map((x) => Number.parseInt(x, 16)));
}
function formatMac(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}
function parseV4(s: string): number {
  return s.split('.').reduce((a, x) => a * 256 + Number(x), 0);
}
function formatV4(v: number): string {
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}
const addV4 = (base: number, n: number) => base + n;
function readU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
function writeU32(b: Uint8Array, o: number, v: number): void {
  b.set([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255], o);
}
function parseV6(s: string): Uint8Array {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = Number.parseInt(g || '0', 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}
function addV6(base: Uint8Array, n: number): Uint8Array {
  const out = Uint8Array.from(base);
  const v = ((out[14]! << 8) | out[15]!) + n;
  out[14] = (v >> 8) & 0xff;
  out[15] = v & 0xff;
  return out;
}
/** RFC 5952 text, so IPs compare equal to the agent's and the API server's. */
function formatV6(b: Uint8Array): string {
  const g = Array.from({ length: 8 }, (_, i) => (b[i * 2]! << 8) | b[i * 2 + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
