/**
 * SHELL. Link-layer sockets through bun:ffi (libc), the way agent/bgp/socket-ffi.ts does it:
 * - AF_PACKET SOCK_RAW | SOCK_NONBLOCK bound to one ifindex and one EtherType (ETH_P_ARP or
 *   ETH_P_IPV6): whole Ethernet frames in and out, our own outgoing copies ignored;
 * - IPv6 multicast membership (IPV6_ADD_MEMBERSHIP on a plain UDP socket bound to nothing).
 * Every call is non-blocking (MSG_DONTWAIT, poll with timeout 0): the caller drains from a timer
 * on the event loop. Everything here dies with its fd: closing (or the process dying) drops the
 * sockets and their group memberships; nothing is added to the kernel's addresses or neighbour
 * tables. Needs CAP_NET_RAW. Linux only; struct layouts are the Linux UAPI ones (same on
 * x86_64 and arm64).
 */
import { dlopen, FFIType, ptr, read } from 'bun:ffi';

const AF_PACKET = 17;
const AF_INET6 = 10;
const SOCK_RAW = 3;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_PACKET = 263;
/** Linux ≥ 4.20: do not hand our own transmitted frames back to this socket. */
const PACKET_IGNORE_OUTGOING = 23;
const IPPROTO_IPV6 = 41;
const IPV6_ADD_MEMBERSHIP = 20;
const IPV6_DROP_MEMBERSHIP = 21;
const MSG_DONTWAIT = 0x40;
const EAGAIN = 11;
const EINTR = 4;
/** The interface went down: nothing to read now, try again on the next drain. */
const ENETDOWN = 100;
const SOL_SOCKET = 1;
const SO_ATTACH_FILTER = 26;
/** Classic BPF opcodes (<linux/filter.h>). */
const BPF_LD_B_ABS = 0x30;
const BPF_LD_H_ABS = 0x28;
const BPF_JEQ_K = 0x15;
const BPF_RET_K = 0x06;
const ACCEPT_WHOLE_FRAME = 0x40000;
/** sll_pkttype: the frame was sent by this host (older kernels without PACKET_IGNORE_OUTGOING). */
export const PACKET_OUTGOING = 4;
const SOCKADDR_LL_LENGTH = 20;
const IPV6_MREQ_LENGTH = 20;

export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;

let lib: ReturnType<typeof open> | undefined;
function open() {
  return dlopen('libc.so.6', {
    socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    bind: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
    setsockopt: {
      args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.u32],
      returns: FFIType.i32,
    },
    recvfrom: {
      args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32, FFIType.ptr, FFIType.ptr],
      returns: FFIType.i64,
    },
    send: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i64 },
    close: { args: [FFIType.i32], returns: FFIType.i32 },
    if_nametoindex: { args: [FFIType.cstring], returns: FFIType.u32 },
    __errno_location: { args: [], returns: FFIType.ptr },
  }).symbols;
}
function c() {
  lib ??= open();
  return lib;
}

function errno(): number {
  const p = c().__errno_location();
  return p ? read.i32(p, 0) : 0;
}

const htons = (v: number) => ((v & 0xff) << 8) | (v >> 8);
const int = (v: number) => new Uint8Array(new Int32Array([v]).buffer);

export class SocketError extends Error {
  constructor(
    readonly step: string,
    readonly errno: number,
  ) {
    super(`${step} failed (errno ${errno})`);
    this.name = 'SocketError';
  }
}

/** The interface index of a name in this network namespace, or 0 if there is none. */
export function ifNameToIndex(name: string): number {
  return c().if_nametoindex(Buffer.from(`${name}\0`)) as number;
}

/**
 * An AF_PACKET raw socket receiving and sending frames of one EtherType on one interface.
 * receive 'questions' (the default) keeps only ARP requests / Neighbor Solicitations in the kernel.
 */
export function openPacketSocket(
  ifindex: number,
  etherType: number,
  receive: 'questions' | 'all' = 'questions',
): number {
  // Protocol 0 until bind: the socket receives nothing from other interfaces in between.
  const fd = c().socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new SocketError('socket(AF_PACKET)', errno());
  const sll = new Uint8Array(SOCKADDR_LL_LENGTH);
  const dv = new DataView(sll.buffer);
  dv.setUint16(0, AF_PACKET, true);
  dv.setUint16(2, htons(etherType), true);
  dv.setInt32(4, ifindex, true);
  if (c().bind(fd, ptr(sll), sll.length) !== 0) {
    const e = errno();
    c().close(fd);
    throw new SocketError(`bind(ifindex ${ifindex})`, e);
  }
  // Best effort: older kernels lack it and we also drop PACKET_OUTGOING frames in recvFrame().
  c().setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, ptr(int(1)), 4);
  const program = receive === 'questions' ? questionFilter(etherType) : undefined;
  if (program) attachFilter(fd, program);
  return fd;
}

type Instruction = [code: number, jt: number, jf: number, k: number];

/**
 * A kernel-side filter so only questions reach user space: ARP requests (operation 1 at frame
 * offset 20), and ICMPv6 (next header 58 at offset 20) Neighbor Solicitations (type 135 at
 * offset 54, right after a fixed IPv6 header). Without it the IPv6 socket would copy every IPv6
 * frame of the node (the Services' own traffic) into the agent. User space re-validates anyway.
 */
function questionFilter(etherType: number): Instruction[] | undefined {
  if (etherType === ETH_P_ARP)
    return [
      [BPF_LD_H_ABS, 0, 0, 20],
      [BPF_JEQ_K, 0, 1, 1],
      [BPF_RET_K, 0, 0, ACCEPT_WHOLE_FRAME],
      [BPF_RET_K, 0, 0, 0],
    ];
  if (etherType === ETH_P_IPV6)
    return [
      [BPF_LD_B_ABS, 0, 0, 20],
      [BPF_JEQ_K, 0, 3, 58],
      [BPF_LD_B_ABS, 0, 0, 54],
      [BPF_JEQ_K, 0, 1, 135],
      [BPF_RET_K, 0, 0, ACCEPT_WHOLE_FRAME],
      [BPF_RET_K, 0, 0, 0],
    ];
  return undefined;
}

/** SO_ATTACH_FILTER: struct sock_filter[] (8 bytes each) behind a struct sock_fprog {len, ptr}. */
function attachFilter(fd: number, program: Instruction[]): void {
  const insns = new Uint8Array(program.length * 8);
  const dv = new DataView(insns.buffer);
  program.forEach(([code, jt, jf, k], i) => {
    dv.setUint16(i * 8, code, true);
    dv.setUint8(i * 8 + 2, jt);
    dv.setUint8(i * 8 + 3, jf);
    dv.setUint32(i * 8 + 4, k, true);
  });
  const fprog = new Uint8Array(16);
  const fv = new DataView(fprog.buffer);
  fv.setUint16(0, program.length, true);
  fv.setBigUint64(8, BigInt(ptr(insns)), true);
  if (c().setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, ptr(fprog), fprog.length) !== 0) {
    const e = errno();
    c().close(fd);
    throw new SocketError('SO_ATTACH_FILTER', e);
  }
}

export type Received = { frame: Uint8Array; pktType: number } | 'empty';

const addr = new Uint8Array(SOCKADDR_LL_LENGTH);
const addrLen = new Uint32Array(1);

/** One frame if one is queued (never blocks); 'empty' when drained. */
export function recvFrame(fd: number, buf: Uint8Array): Received {
  for (let attempt = 0; attempt < 3; attempt++) {
    addrLen[0] = SOCKADDR_LL_LENGTH;
    const n = Number(c().recvfrom(fd, ptr(buf), buf.length, MSG_DONTWAIT, ptr(addr), ptr(addrLen)));
    if (n >= 0) return { frame: buf.slice(0, n), pktType: addr[10]! };
    const e = errno();
    if (e === EINTR) continue;
    if (e === EAGAIN || e === ENETDOWN) return 'empty';
    throw new SocketError('recvfrom', e);
  }
  return 'empty';
}

/** Sends one whole frame on the socket's interface; false if the queue is full (EAGAIN). */
export function sendFrame(fd: number, frame: Uint8Array): boolean {
  const n = Number(c().send(fd, ptr(frame), frame.length, MSG_DONTWAIT));
  if (n === frame.length) return true;
  const e = errno();
  if (n < 0 && e === EAGAIN) return false;
  throw new SocketError('send', e);
}

/** A UDP socket that only holds IPv6 multicast memberships. */
export function openMembershipSocket(): number {
  const fd = c().socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new SocketError('socket(AF_INET6)', errno());
  return fd;
}

function mreq(group: Uint8Array, ifindex: number): Uint8Array {
  const m = new Uint8Array(IPV6_MREQ_LENGTH);
  m.set(group, 0);
  new DataView(m.buffer).setInt32(16, ifindex, true);
  return m;
}

/**
 * Joins an IPv6 group on an interface: the kernel adds its MAC to the NIC's multicast filter and
 * sends MLD reports, so MLD-snooping switches forward the group's frames to this port.
 */
export function joinGroup(fd: number, group: Uint8Array, ifindex: number): void {
  const m = mreq(group, ifindex);
  if (c().setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, ptr(m), m.length) !== 0)
    throw new SocketError('IPV6_ADD_MEMBERSHIP', errno());
}

export function leaveGroup(fd: number, group: Uint8Array, ifindex: number): void {
  const m = mreq(group, ifindex);
  if (c().setsockopt(fd, IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP, ptr(m), m.length) !== 0)
    throw new SocketError('IPV6_DROP_MEMBERSHIP', errno());
}

export function closeSocket(fd: number): void {
  c().close(fd);
}
