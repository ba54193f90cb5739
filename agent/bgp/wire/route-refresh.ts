/** PURE. ROUTE-REFRESH (RFC 2918; subtype from RFC 7313) and KEEPALIVE. */
import { MessageType, newMessage } from './header.ts';

/** RFC 7313 §3: the Message Subtype field. */
export const RouteRefreshSubtype = { Normal: 0, BoRR: 1, EoRR: 2 } as const;

export interface RouteRefreshMessage {
  type: 'route-refresh';
  afi: number;
  safi: number;
  /** 0 normal, 1 BoRR, 2 EoRR (RFC 7313). */
  subtype: number;
}

export interface KeepaliveMessage {
  type: 'keepalive';
}

export function encodeRouteRefresh(m: Omit<RouteRefreshMessage, 'type'>): Uint8Array {
  const msg = newMessage(MessageType.ROUTE_REFRESH, 23);
  msg.set([m.afi >> 8, m.afi & 255, m.subtype, m.safi], 19);
  return msg;
}

export function decodeRouteRefresh(msg: Uint8Array): RouteRefreshMessage {
  return { type: 'route-refresh', afi: (msg[19]! << 8) | msg[20]!, subtype: msg[21]!, safi: msg[22]! };
}

const KEEPALIVE = newMessage(MessageType.KEEPALIVE, 19);

export function encodeKeepalive(): Uint8Array {
  return KEEPALIVE.slice();
}
