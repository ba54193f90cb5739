/** PURE. NOTIFICATION (RFC 4271 §4.5) with the shutdown communication of RFC 9003 (was 8203). */
import { ErrorCode, notificationName } from './errors.ts';
import { HEADER_LENGTH, MessageType, newMessage } from './header.ts';

export interface NotificationMessage {
  type: 'notification';
  code: number;
  subcode: number;
  data: Uint8Array;
}

export function encodeNotification(m: Omit<NotificationMessage, 'type'>): Uint8Array {
  const data = m.data.subarray(0, 4096 - HEADER_LENGTH - 2);
  const msg = newMessage(MessageType.NOTIFICATION, HEADER_LENGTH + 2 + data.length);
  msg[19] = m.code;
  msg[20] = m.subcode;
  msg.set(data, 21);
  return msg;
}

export function decodeNotification(msg: Uint8Array): NotificationMessage {
  return { type: 'notification', code: msg[19]!, subcode: msg[20]!, data: msg.slice(21) };
}

/** Data for Cease 6/2 or 6/4: one length byte, then at most 255 bytes of UTF-8 (cut on a character boundary). */
export function shutdownData(text: string): Uint8Array {
  const enc = new TextEncoder();
  let bytes = enc.encode(text);
  if (bytes.length > 255) {
    let cut = 255;
    while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
    bytes = bytes.subarray(0, cut);
  }
  const out = new Uint8Array(1 + bytes.length);
  out[0] = bytes.length;
  out.set(bytes, 1);
  return out;
}

/** The shutdown communication of a received Cease 6/2 or 6/4, if well formed. */
export function shutdownMessage(m: Omit<NotificationMessage, 'type'>): string | undefined {
  if (m.code !== ErrorCode.Cease || (m.subcode !== 2 && m.subcode !== 4) || m.data.length < 1)
    return undefined;
  const n = m.data[0]!;
  if (n + 1 > m.data.length) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(m.data.subarray(1, 1 + n));
  } catch {
    return undefined;
  }
}

/** "Cease/Administrative Shutdown" plus the shutdown communication when present. */
export function describeNotification(m: Omit<NotificationMessage, 'type'>): string {
  const name = notificationName(m.code, m.subcode);
  const text = shutdownMessage(m);
  return text ? `${name} "${text}"` : name;
}
