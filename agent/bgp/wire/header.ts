/** PURE. The 19-byte message header (RFC 4271 §4.1) and the per-type length rules. */
import { ErrorCode, HeaderSubcode, u16, WireError } from './errors.ts';

export const HEADER_LENGTH = 19;
export const MAX_MESSAGE = 4096;
export const MAX_EXTENDED_MESSAGE = 65535;

export const MessageType = { OPEN: 1, UPDATE: 2, NOTIFICATION: 3, KEEPALIVE: 4, ROUTE_REFRESH: 5 } as const;

/** Allocates a message of `length` bytes with its header filled in. */
/** Offset of the Type octet: after the 16-octet marker and the 2-octet length. */
export const TYPE_OFFSET = 18;

/** The Type octet of a framed message. */
export function messageTypeOf(msg: Uint8Array): number | undefined {
  return msg[TYPE_OFFSET];
}

export function newMessage(type: number, length: number): Uint8Array {
  const m = new Uint8Array(length);
  m.fill(0xff, 0, 16);
  m[16] = length >> 8;
  m[17] = length & 255;
  m[TYPE_OFFSET] = type;
  return m;
}

/** Checks marker and length field; returns the length. Throws WireError 1/1 or 1/2. */
export function checkHeader(b: Uint8Array, off: number, maxLength: number): number {
  for (let i = 0; i < 16; i++) {
    if (b[off + i] !== 0xff)
      throw new WireError(
        ErrorCode.MessageHeader,
        HeaderSubcode.ConnectionNotSynchronized,
        'marker is not all ones',
      );
  }
  const length = (b[off + 16]! << 8) | b[off + 17]!;
  if (length < HEADER_LENGTH || length > maxLength)
    throw new WireError(
      ErrorCode.MessageHeader,
      HeaderSubcode.BadMessageLength,
      `length ${length} outside 19..${maxLength}`,
      u16(length),
    );
  return length;
}

const MIN_BY_TYPE: Record<number, number> = { 1: 29, 2: 23, 3: 21, 4: 19, 5: 23 };

/**
 * Type-specific length checks (RFC 4271 §6.1). A ROUTE-REFRESH whose body is not 4 octets is
 * RFC 7313 §5's 7/1 with the whole message as data (no ORF is negotiated, so this holds for
 * every subtype).
 */
export function checkTypeLength(type: number, length: number, msg?: Uint8Array): void {
  const min = MIN_BY_TYPE[type];
  if (min === undefined)
    throw new WireError(
      ErrorCode.MessageHeader,
      HeaderSubcode.BadMessageType,
      `unknown type ${type}`,
      new Uint8Array([type]),
    );
  if (type === MessageType.ROUTE_REFRESH && length !== 23)
    throw new WireError(
      ErrorCode.RouteRefresh,
      1,
      `ROUTE-REFRESH length ${length}`,
      msg ? msg.slice(0, length) : u16(length),
    );
  if (length < min || (type === MessageType.KEEPALIVE && length !== 19))
    throw new WireError(
      ErrorCode.MessageHeader,
      HeaderSubcode.BadMessageLength,
      `length ${length} invalid for type ${type}`,
      u16(length),
    );
}
