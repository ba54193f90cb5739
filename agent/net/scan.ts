/**
 * PURE. The hand-rolled address scanners every fast path shares: canonical dotted quads and
 * IPv6 hex groups (one '::', optionally an IPv4 tail), into one reused 16-byte scratch buffer,
 * and the RFC 5952 text of the eight words in it. They accept a subset of what ip.ts parseIP
 * accepts, with the same values; callers fall back to ip.ts for anything else.
 */

/** The eight words of the last IPv6 address scanned or to be formatted (calls never overlap). */
export const scratch = new DataView(new ArrayBuffer(16));

/** Canonical dotted quad in s[from, to) (no leading zeros, 0-255 each): the value, or -1. */
export function scan4(s: string, from = 0, to = s.length): number {
  const n = to - from;
  if (n < 7 || n > 15) return -1;
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      v = v * 256 + part;
      part = 0;
      digits = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9 || (digits === 1 && part === 0)) return -1;
    part = part * 10 + d;
    digits++;
    if (part > 255) return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return v * 256 + part;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Scans hex groups separated by ':' with at most one '::' into `scratch`; no zone. With
 * v4Tail, the last group may be a dotted quad (two words). False when s is not such an address.
 */
export function scan6(s: string, v4Tail = false): boolean {
  // Words before the '::' go to 0, 1, ...; after it, they are shifted to the end at the close.
  let count = 0;
  let gapAt = -1;
  let i = 0;
  const n = s.length;
  if (n >= 2 && s.charCodeAt(0) === 58 && s.charCodeAt(1) === 58) {
    gapAt = 0;
    i = 2;
    if (i === n) {
      scratch.setBigUint64(0, 0n);
      scratch.setBigUint64(8, 0n);
      return true;
    }
  }
  while (i < n) {
    const groupStart = i;
    let w = 0;
    let digits = 0;
    while (i < n && digits <= 4) {
      const d = hexDigit(s.charCodeAt(i));
      if (d < 0) break;
      w = w * 16 + d;
      digits++;
      i++;
    }
    if (v4Tail && i < n && s.charCodeAt(i) === 46) {
      // An IPv4 tail: the rest of the string, worth two words.
      const v4 = count <= 6 ? scan4(s, groupStart, n) : -1;
      if (v4 < 0) return false;
      scratch.setUint16(count * 2, v4 >>> 16);
      scratch.setUint16(count * 2 + 2, v4 & 0xffff);
      count += 2;
      break;
    }
    if (digits === 0 || digits > 4 || count === 8) return false;
    scratch.setUint16(count * 2, w);
    count++;
    if (i === n) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i < n && s.charCodeAt(i) === 58) {
      if (gapAt >= 0) return false;
      gapAt = count;
      i++;
      if (i === n) break;
    } else if (i === n) return false;
  }
  if (gapAt >= 0 ? count > 7 : count !== 8) return false;
  if (gapAt >= 0) {
    // Move the words after the gap to the end and zero the gap.
    const tail = count - gapAt;
    for (let k = tail - 1; k >= 0; k--)
      scratch.setUint16((8 - tail + k) * 2, scratch.getUint16((gapAt + k) * 2));
    for (let k = gapAt; k < 8 - tail; k++) scratch.setUint16(k * 2, 0);
  }
  return true;
}

/** RFC 5952 text of the words in `scratch`: lower case, the longest run (first of equal ones) of two or more zero words as '::'. */
export function format6(): string {
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (scratch.getUint16(i * 2) !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && scratch.getUint16(j * 2) === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestAt) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i !== bestAt + bestLen) out += ':';
    out += scratch.getUint16(i * 2).toString(16);
  }
  return out;
}
