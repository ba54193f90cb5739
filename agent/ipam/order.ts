/**
 * PURE. Ordering Services by (creationOrder, key) without comparing strings on every step.
 *
 * Sorting 100,000 Services spent ~200 ms comparing ISO timestamps that share a long prefix.
 * creationKey() turns the two spellings the IPAM sees in practice (Kubernetes'
 * "2026-01-01T00:00:00Z" and toISOString()'s "2026-01-01T00:00:00.000Z") into a number whose
 * order is exactly the strings' order; anything else gets NaN and is compared as a string.
 * Because the number never disagrees with the string, mixing both in one sort is still one
 * total order: plain lexicographic order of creationOrder, then of key.
 */

export interface Ordered {
  /** creationKey(view.creationOrder). */
  ord: number;
  view: { creationOrder: string; key: string };
}

/** Digits at [at, at+n) as a number, or -1 when one of them is not a digit. */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * A number ordered like the string among the strings that get one; NaN for the rest.
 * Mixed radix (month < 13, day < 32, hour < 24, minute < 60, second < 61, milliseconds) keeps
 * the value below 2^53. At equal seconds "...SS.fffZ" sorts before "...SSZ" ('.' < 'Z'), so the
 * form without a fraction counts as millisecond 999.5.
 */
export function creationKey(s: string): number {
  const n = s.length;
  if (n !== 20 && n !== 24) return Number.NaN;
  if (
    s.charCodeAt(4) !== 45 || // -
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 || // T
    s.charCodeAt(13) !== 58 || // :
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(n - 1) !== 90 // Z
  )
    return Number.NaN;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  if (y < 0 || mo < 0 || mo > 12 || d < 0 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59)
    return Number.NaN;
  if (sec < 0 || sec > 60) return Number.NaN;
  let ms = 999.5;
  if (n === 24) {
    if (s.charCodeAt(19) !== 46) return Number.NaN; // .
    ms = digits(s, 20, 3);
    if (ms < 0) return Number.NaN;
  }
  return (((((y * 13 + mo) * 32 + d) * 24 + h) * 60 + mi) * 61 + sec) * 1000 + ms;
}

/** Lexicographic (creationOrder, key): older first, ties broken by key. */
export function compareOrdered(a: Ordered, b: Ordered): number {
  const d = a.ord - b.ord;
  if (!Number.isNaN(d)) {
    // Both numeric: equal numbers mean equal strings.
    if (d !== 0) return d;
  } else {
    const x = a.view.creationOrder;
    const y = b.view.creationOrder;
    if (x !== y) return x < y ? -1 : 1;
  }
  const x = a.view.key;
  const y = b.view.key;
  return x < y ? -1 : x > y ? 1 : 0;
}
