/** PURE. Linux errno numbers met when connecting, in words (the FFI socket path reports numbers). */
const ERRNO: Record<number, [string, string]> = {
  1: ['EPERM', 'operation not permitted'],
  13: ['EACCES', 'permission denied'],
  98: ['EADDRINUSE', 'address already in use'],
  99: ['EADDRNOTAVAIL', 'cannot assign the requested local address'],
  101: ['ENETUNREACH', 'network unreachable'],
  104: ['ECONNRESET', 'connection reset by peer'],
  110: ['ETIMEDOUT', 'connection timed out'],
  111: ['ECONNREFUSED', 'connection refused'],
  113: ['EHOSTUNREACH', 'no route to host'],
};

/** "connection refused (ECONNREFUSED)"; unknown numbers as "errno N". */
export function errnoText(n: number): string {
  const e = ERRNO[n];
  return e ? `${e[1]} (${e[0]})` : `errno ${n}`;
}
