/**
 * PURE. The mappings of one file in a /proc/PID/maps text: the address ranges the kernel maps
 * from the program's own binary, which release-pages.ts hands back after start-up.
 *
 * A line: `start-end perms offset dev inode   pathname`, addresses in hex. A binary replaced
 * on disk since it was started shows as `pathname (deleted)`: not the same file, not matched.
 */

export interface Mapping {
  start: bigint;
  end: bigint;
  perms: string;
}

const LINE = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \d+ +(.*)$/;

/** The mappings whose pathname is exactly `path` (absolute), in the order of the text. */
export function mappingsOf(maps: string, path: string): Mapping[] {
  const out: Mapping[] = [];
  if (!path.startsWith('/')) return out;
  for (const line of maps.split('\n')) {
    const m = LINE.exec(line);
    if (!m || m[4] !== path) continue;
    const start = BigInt(`0x${m[1]}`);
    const end = BigInt(`0x${m[2]}`);
    if (end > start) out.push({ start, end, perms: m[3] as string });
  }
  return out;
}

/** Total bytes of the mappings. */
export function mappedBytes(ms: readonly Mapping[]): number {
  let n = 0n;
  for (const m of ms) n += m.end - m.start;
  return Number(n);
}
