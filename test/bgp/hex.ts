/** Test helpers: hex <-> bytes, and a message builder with a correct header. */
import { WireError } from '../../agent/bgp/wire/errors.ts';
export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  if (clean.length % 2) throw new Error('odd hex');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

export const MARKER = 'ff'.repeat(16);

/** A message of `type` with body hex, header length filled in. */
export function msg(type: number, body: string): Uint8Array {
  const b = hex(body);
  const len = 19 + b.length;
  return hex(MARKER + len.toString(16).padStart(4, '0') + type.toString(16).padStart(2, '0') + toHex(b));
}

/** An UPDATE body from withdrawn, attribute and NLRI hex. */
export function update(withdrawn: string, attrs: string, nlri: string): Uint8Array {
  const w = hex(withdrawn);
  const a = hex(attrs);
  const l = (n: number) => n.toString(16).padStart(4, '0');
  return msg(2, l(w.length) + withdrawn + l(a.length) + attrs + nlri);
}

/** The WireError `f` throws (any other throw, or none, fails the test). */
export function thrown(f: () => unknown): WireError {
  try {
    f();
  } catch (e) {
    if (e instanceof WireError) return e;
    throw e;
  }
  throw new Error('no error');
}
