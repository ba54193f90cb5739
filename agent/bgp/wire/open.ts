/** PURE. OPEN (RFC 4271 §4.2) with capabilities (RFC 5492) and extended optional parameters (RFC 9072). */
import { formatIPv4, parseIPv4 } from './address.ts';
import { type Capability, decodeCapability, encodeCapability } from './capabilities.ts';
import { ErrorCode, OpenSubcode, u16, WireError } from './errors.ts';
import { HEADER_LENGTH, MessageType, newMessage } from './header.ts';

export const AS_TRANS = 23456;

export interface OpenMessage {
  type: 'open';
  version: number;
  /** The 2-octet My AS field (AS_TRANS for a 4-octet ASN). */
  myAS: number;
  holdTime: number;
  bgpId: string;
  capabilities: Capability[];
}

/** Builds an OPEN for `asn` (writes AS_TRANS in My AS when it does not fit 2 octets). */
export function openFor(
  asn: number,
  holdTime: number,
  bgpId: string,
  capabilities: Capability[],
): OpenMessage {
  return { type: 'open', version: 4, myAS: asn > 0xffff ? AS_TRANS : asn, holdTime, bgpId, capabilities };
}

export function encodeOpen(m: OpenMessage): Uint8Array {
  const caps = m.capabilities.map(encodeCapability);
  // One Capabilities parameter per capability, as FRR and BIRD do; RFC 9072 form if it overflows 255.
  const paramsLen = caps.reduce((n, c) => n + 2 + c.length, 0);
  const extended = paramsLen > 255 || caps.some((c) => c.length > 255);
  const params = new Uint8Array(extended ? caps.reduce((n, c) => n + 3 + c.length, 0) : paramsLen);
  let o = 0;
  for (const c of caps) {
    params[o++] = 2;
    if (extended) {
      params[o++] = c.length >> 8;
    }
    params[o++] = c.length & 255;
    params.set(c, o);
    o += c.length;
  }
  const head = extended ? 3 : 0;
  const msg = newMessage(MessageType.OPEN, HEADER_LENGTH + 10 + head + params.length);
  const id = parseIPv4(m.bgpId) ?? new Uint8Array(4);
  msg.set([m.version, m.myAS >> 8, m.myAS & 255, m.holdTime >> 8, m.holdTime & 255], 19);
  msg.set(id, 24);
  if (extended) msg.set([255, 255, params.length >> 8, params.length & 255], 28);
  else msg[28] = params.length;
  msg.set(params, 29 + head);
  return msg;
}

/** Decodes and checks what needs no configuration: version, hold time 1/2, zero identifier, parameters. */
export function decodeOpen(msg: Uint8Array): OpenMessage {
  const version = msg[19]!;
  if (version !== 4)
    throw new WireError(ErrorCode.OpenMessage, OpenSubcode.UnsupportedVersion, `version ${version}`, u16(4));
  const myAS = (msg[20]! << 8) | msg[21]!;
  const holdTime = (msg[22]! << 8) | msg[23]!;
  if (holdTime === 1 || holdTime === 2)
    throw new WireError(ErrorCode.OpenMessage, OpenSubcode.UnacceptableHoldTime, `hold time ${holdTime}`);
  const bgpId = formatIPv4(msg, 24);
  if (bgpId === '0.0.0.0')
    throw new WireError(ErrorCode.OpenMessage, OpenSubcode.BadBGPIdentifier, 'BGP identifier 0.0.0.0');
  let optLen = msg[28]!;
  let off = 29;
  let extended = false;
  if (optLen === 255 && msg.length > 29 && msg[29] === 255) {
    if (msg.length < 32) throw bad('truncated extended optional parameters');
    extended = true;
    optLen = (msg[30]! << 8) | msg[31]!;
    off = 32;
  }
  if (off + optLen !== msg.length) throw bad(`optional parameters length ${optLen} disagrees with message`);
  const capabilities: Capability[] = [];
  const end = off + optLen;
  while (off < end) {
    const ptype = msg[off]!;
    const plen = extended ? (msg[off + 1]! << 8) | (msg[off + 2] ?? 0) : (msg[off + 1] ?? 0);
    const pstart = off + (extended ? 3 : 2);
    if (pstart > end || pstart + plen > end) throw bad('optional parameter overruns');
    if (ptype !== 2)
      throw new WireError(
        ErrorCode.OpenMessage,
        OpenSubcode.UnsupportedOptionalParameter,
        `parameter type ${ptype}`,
      );
    let c = pstart;
    const pend = pstart + plen;
    while (c < pend) {
      if (c + 2 > pend) throw bad('capability header overruns');
      const code = msg[c]!;
      const clen = msg[c + 1]!;
      if (c + 2 + clen > pend) throw bad('capability value overruns');
      capabilities.push(decodeCapability(code, msg.subarray(c + 2, c + 2 + clen)));
      c += 2 + clen;
    }
    off = pend;
  }
  return { type: 'open', version, myAS, holdTime, bgpId, capabilities };
}

function bad(why: string): WireError {
  return new WireError(ErrorCode.OpenMessage, OpenSubcode.Unspecific, why);
}

/** The peer's real ASN: capability 65 if present, else My AS. */
export function peerASNOf(m: OpenMessage): number {
  const c = m.capabilities.find((x) => x.code === 65 && !('unknown' in x)) as { asn: number } | undefined;
  return c ? c.asn : m.myAS;
}

/** Checks an OPEN against configuration (RFC 4271 §6.2, RFC 6793 §4.1, RFC 6286). */
export function validateOpen(
  m: OpenMessage,
  expect: { peerASN: number; localASN: number; localBgpId: string },
): WireError | undefined {
  const cap = m.capabilities.find((x) => x.code === 65 && !('unknown' in x)) as { asn: number } | undefined;
  const asn = cap ? cap.asn : m.myAS;
  const twoOctetOk = cap ? m.myAS === (cap.asn > 0xffff ? AS_TRANS : cap.asn) : true;
  if (asn !== expect.peerASN || !twoOctetOk)
    return new WireError(
      ErrorCode.OpenMessage,
      OpenSubcode.BadPeerAS,
      `peer AS ${asn} (My AS ${m.myAS}), expected ${expect.peerASN}`,
      u16(m.myAS),
    );
  if (expect.peerASN === expect.localASN && m.bgpId === expect.localBgpId)
    return new WireError(
      ErrorCode.OpenMessage,
      OpenSubcode.BadBGPIdentifier,
      `iBGP peer uses our identifier ${m.bgpId}`,
    );
  return undefined;
}
