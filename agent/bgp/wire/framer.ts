/**
 * PURE. Push framer: feed TCP chunks, get whole messages (header included). Header errors
 * throw WireError (1/1, 1/2); the framer is then unusable, as the session is reset.
 * Messages are handled in order: when a chunk holds whole messages before the bad header,
 * push() returns them and keeps the error in `failed` (thrown by the next push), so a
 * NOTIFICATION that came first is seen first.
 */
import type { WireError } from './errors.ts';
import { checkHeader, HEADER_LENGTH, MAX_MESSAGE } from './header.ts';

export class Framer {
  private buf = new Uint8Array(0);
  private used = 0;
  maxLength: number;
  /** A header error found after the messages the last push() returned. */
  failed: WireError | undefined;

  constructor(maxLength = MAX_MESSAGE) {
    this.maxLength = maxLength;
  }

  /** Bytes held waiting for the rest of a message. */
  get pending(): number {
    return this.used;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed) throw this.failed;
    const out: Uint8Array[] = [];
    let data = chunk;
    let off = 0;
    if (this.used > 0) {
      if (this.used + chunk.length > this.buf.length) {
        const next = new Uint8Array(Math.max(this.buf.length * 2, this.used + chunk.length));
        next.set(this.buf.subarray(0, this.used));
        this.buf = next;
      }
      this.buf.set(chunk, this.used);
      this.used += chunk.length;
      data = this.buf;
      const end = this.used;
      off = this.take(data, 0, end, out);
      const rest = end - off;
      if (rest > 0) this.buf.copyWithin(0, off, end);
      this.used = rest;
      return out;
    }
    off = this.take(data, 0, data.length, out);
    const rest = data.length - off;
    if (rest > 0) {
      if (this.buf.length < rest) this.buf = new Uint8Array(Math.max(rest, 4096));
      this.buf.set(data.subarray(off));
      this.used = rest;
    }
    return out;
  }

  private take(data: Uint8Array, start: number, end: number, out: Uint8Array[]): number {
    let off = start;
    while (end - off >= HEADER_LENGTH) {
      let length: number;
      try {
        length = checkHeader(data, off, this.maxLength);
      } catch (e) {
        if (!out.length) throw e;
        this.failed = e as WireError;
        return end;
      }
      if (end - off < length) break;
      out.push(data.slice(off, off + length));
      off += length;
    }
    return off;
  }
}
