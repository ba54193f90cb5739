/**
 * SHELL. The one binding of libc through bun:ffi, for the socket calls Bun has no API for
 * (TCP-MD5 and TTLs before the SYN, BFD's received TTL, AF_PACKET, sd_notify, madvise). Opened on
 * first use. Linux only; constants and struct layouts are the x86_64/arm64 glibc ones.
 * Every caller opens its sockets non-blocking: nothing here may block the event loop.
 */
import { dlopen, FFIType, ptr, read } from 'bun:ffi';

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_PACKET = 17;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const IPPROTO_IP = 0;
export const IPPROTO_TCP = 6;
export const IPPROTO_IPV6 = 41;
export const IP_TTL = 2;
export const IPV6_UNICAST_HOPS = 16;
export const MSG_DONTWAIT = 0x40;
export const EAGAIN = 11;
export const EADDRINUSE = 98;
export const EINPROGRESS = 115;

function open() {
  return dlopen('libc.so.6', {
    socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    setsockopt: {
      args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.u32],
      returns: FFIType.i32,
    },
    getsockopt: {
      args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.ptr],
      returns: FFIType.i32,
    },
    bind: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
    connect: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
    listen: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    poll: { args: [FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i32 },
    recvmsg: { args: [FFIType.i32, FFIType.ptr, FFIType.i32], returns: FFIType.i64 },
    recvfrom: {
      args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32, FFIType.ptr, FFIType.ptr],
      returns: FFIType.i64,
    },
    send: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i64 },
    sendto: {
      args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32, FFIType.ptr, FFIType.u32],
      returns: FFIType.i64,
    },
    close: { args: [FFIType.i32], returns: FFIType.i32 },
    ioctl: { args: [FFIType.i32, FFIType.u64, FFIType.ptr], returns: FFIType.i32 },
    if_nametoindex: { args: [FFIType.cstring], returns: FFIType.u32 },
    madvise: { args: [FFIType.u64, FFIType.u64, FFIType.i32], returns: FFIType.i32 },
    __errno_location: { args: [], returns: FFIType.ptr },
  }).symbols;
}

let symbols: ReturnType<typeof open> | undefined;

/** The libc functions, loaded on first use. */
export function libc(): ReturnType<typeof open> {
  symbols ??= open();
  return symbols;
}

/** The calling thread's errno after a failed call. */
export function errno(): number {
  const p = libc().__errno_location();
  return p ? read.i32(p, 0) : 0;
}

/** An int argument for setsockopt. */
export const int = (v: number): Uint8Array => new Uint8Array(new Int32Array([v]).buffer);

/** setsockopt with an int or a struct; false with errno() set on failure. */
export function setsockopt(fd: number, level: number, name: number, value: Uint8Array): boolean {
  return libc().setsockopt(fd, level, name, ptr(value), value.length) === 0;
}

/** A failed libc call: the step that failed and its errno. */
export class SyscallError extends Error {
  constructor(
    readonly step: string,
    readonly errno: number,
  ) {
    super(`${step} failed (errno ${errno})`);
    this.name = 'SyscallError';
  }
}
