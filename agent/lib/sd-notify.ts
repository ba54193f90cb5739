/**
 * sd_notify(3) without libsystemd: one AF_UNIX datagram to $NOTIFY_SOCKET through libc
 * (bun:ffi), since Bun has no unix-datagram socket. A no-op when NOTIFY_SOCKET is unset.
 */
import { ptr } from 'bun:ffi';
import { AF_UNIX, libc, SOCK_CLOEXEC, SOCK_DGRAM } from './libc.ts';

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
  const symbols = libc();
  const fd = symbols.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  try {
    return Number(symbols.sendto(fd, ptr(msg), msg.length, 0, ptr(addr), addrLen)) === msg.length;
  } finally {
    symbols.close(fd);
  }
}
