/**
 * sd_notify(3) without libsystemd: one AF_UNIX datagram to $NOTIFY_SOCKET through libc
 * (bun:ffi), since Bun has no unix-datagram socket. A no-op when NOTIFY_SOCKET is unset.
 */
import { dlopen, FFIType, ptr } from 'bun:ffi';

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;

let libc:
  | {
      symbols: {
        socket: (a: number, b: number, c: number) => number;
        sendto: (fd: number, buf: unknown, len: number, flags: number, addr: unknown, alen: number) => number;
        close: (fd: number) => number;
      };
    }
  | undefined;

function lib() {
  libc ??= dlopen('libc.so.6', {
    socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    sendto: {
      args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32, FFIType.ptr, FFIType.u32],
      returns: FFIType.i64,
    },
    close: { args: [FFIType.i32], returns: FFIType.i32 },
  }) as unknown as typeof libc;
  return libc!;
}

/** Sends state lines (e.g. "READY=1"). Returns false when not under systemd or on failure. */
export function sdNotify(state: string, socketPath = process.env.NOTIFY_SOCKET): boolean {
  if (!socketPath || process.platform !== 'linux') return false;
  const path = Buffer.from(socketPath.startsWith('@') ? `\0${socketPath.slice(1)}` : socketPath);
  if (path.length > 107) return false;
  // struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; }
  const addr = new Uint8Array(2 + 108);
  new DataView(addr.buffer).setUint16(0, AF_UNIX, true);
  addr.set(path, 2);
  const addrLen = 2 + path.length + (socketPath.startsWith('@') ? 0 : 1);
  const msg = Buffer.from(state);
  const { symbols } = lib();
  const fd = symbols.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  try {
    return Number(symbols.sendto(fd, ptr(msg), msg.length, 0, ptr(addr), addrLen)) === msg.length;
  } finally {
    symbols.close(fd);
  }
}
