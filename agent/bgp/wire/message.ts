/** PURE. Top-level decode/encode of one framed message; the only place errors are shaped for the session. */
import type { AttributeContext } from './attribute-types.ts';
import { WireError } from './errors.ts';
import { checkHeader, checkTypeLength, MAX_EXTENDED_MESSAGE, MessageType, TYPE_OFFSET } from './header.ts';
import { decodeNotification, encodeNotification, type NotificationMessage } from './notification.ts';
import { decodeOpen, encodeOpen, type OpenMessage } from './open.ts';
import {
  decodeRouteRefresh,
  encodeKeepalive,
  encodeRouteRefresh,
  type KeepaliveMessage,
  type RouteRefreshMessage,
} from './route-refresh.ts';
import { decodeUpdate, encodeUpdate, type UpdateMessage } from './update.ts';

export type Message =
  | OpenMessage
  | UpdateMessage
  | NotificationMessage
  | KeepaliveMessage
  | RouteRefreshMessage;

export interface DecodeContext extends AttributeContext {
  /** 4096, or 65535 once extended messages are negotiated. */
  maxLength: number;
}

export const DEFAULT_CONTEXT: DecodeContext = { as4: true, maxLength: 4096 };

/**
 * Decodes one whole message. Throws only WireError (session-reset errors); RFC 7606
 * withdraw/discard errors are carried on the UpdateMessage.
 */
export function decodeMessage(msg: Uint8Array, ctx: DecodeContext = DEFAULT_CONTEXT): Message {
  try {
    if (msg.length < 19) throw new WireError(1, 2, `short message (${msg.length} bytes)`);
    const length = checkHeader(msg, 0, Math.min(ctx.maxLength, MAX_EXTENDED_MESSAGE));
    if (length !== msg.length) throw new WireError(1, 2, `length field ${length} but ${msg.length} bytes`);
    const type = msg[TYPE_OFFSET]!;
    checkTypeLength(type, length, msg);
    switch (type) {
      case MessageType.OPEN:
        return decodeOpen(msg);
      case MessageType.UPDATE:
        return decodeUpdate(msg, ctx);
      case MessageType.NOTIFICATION:
        return decodeNotification(msg);
      case MessageType.KEEPALIVE:
        return { type: 'keepalive' };
      default:
        return decodeRouteRefresh(msg);
    }
  } catch (e) {
    if (e instanceof WireError) throw e;
    // A decoder bug must not crash the agent; surface it as a header error and keep a cause.
    throw Object.assign(new WireError(1, 0, `internal decode error: ${(e as Error)?.message ?? e}`), {
      cause: e,
    });
  }
}

export function encodeMessage(m: Message, ctx: AttributeContext = DEFAULT_CONTEXT): Uint8Array {
  switch (m.type) {
    case 'open':
      return encodeOpen(m);
    case 'update':
      return encodeUpdate(m, ctx);
    case 'notification':
      return encodeNotification(m);
    case 'keepalive':
      return encodeKeepalive();
    case 'route-refresh':
      return encodeRouteRefresh(m);
  }
}
