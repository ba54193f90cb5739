/**
 * SHELL. A connection from the peer that arrived while we hold another (RFC 4271 §6.8): it is
 * read only until its first message, which must be an OPEN naming the peer's identifier; then
 * the session decides (fsm/collision.ts onHeldOpen) which connection survives.
 */
import type { BgpConnection } from './transport.ts';
import { type DecodeContext, decodeMessage, Framer, MAX_MESSAGE, type OpenMessage } from './wire/index.ts';

export interface HeldHandlers {
  /** The connection is gone or failed before a valid OPEN: forget it. */
  dropped(): void;
  /** Its OPEN, the framer (for the rest of the stream) and every message framed so far. */
  open(open: OpenMessage, framer: Framer, framed: Uint8Array[]): void;
}

export function holdUntilOpen(c: BgpConnection, ctx: DecodeContext, h: HeldHandlers): void {
  const framer = new Framer(MAX_MESSAGE);
  c.attach({
    connected: () => {},
    closed: () => h.dropped(),
    data: (d) => {
      let msgs: Uint8Array[];
      try {
        msgs = framer.push(d);
      } catch {
        h.dropped();
        c.destroy();
        return;
      }
      if (!msgs.length) return;
      h.dropped();
      let open: ReturnType<typeof decodeMessage>;
      try {
        open = decodeMessage(msgs[0]!, ctx);
      } catch {
        c.destroy();
        return;
      }
      if (open.type !== 'open') {
        c.destroy();
        return;
      }
      h.open(open, framer, msgs);
    },
  });
}
