/**
 * PURE. The RFC 5880 §4.1 BFD Control packet (mandatory section, 24 bytes, big-endian).
 * Intervals are microseconds on the wire. decodeControl() parses any 24 bytes into raw
 * fields and throws only BfdCodecError (a datagram too short to hold them); whether the
 * fields make sense is for the §6.8.6 reception checks (checks.ts), which return a reason.
 */
import type { DiagnosticCode } from './diagnostic.ts';

export const BFD_VERSION = 1;
/** Length of the mandatory section; the whole packet without authentication. */
export const CONTROL_LENGTH = 24;
/** Minimum length when the A bit says an authentication section follows (RFC 5880 §6.8.6). */
export const CONTROL_LENGTH_WITH_AUTH = 26;

export type SessionState = 'AdminDown' | 'Down' | 'Init' | 'Up';
export const STATE_CODE: Record<SessionState, number> = { AdminDown: 0, Down: 1, Init: 2, Up: 3 };
const STATE_BY_CODE: SessionState[] = ['AdminDown', 'Down', 'Init', 'Up'];

const VERSION_SHIFT = 5;
const DIAG_MASK = 0x1f;
const STATE_SHIFT = 6;
const FLAG_POLL = 0x20;
const FLAG_FINAL = 0x10;
const FLAG_CONTROL_PLANE_INDEPENDENT = 0x08;
const FLAG_AUTH = 0x04;
const FLAG_DEMAND = 0x02;
const FLAG_MULTIPOINT = 0x01;

export interface ControlPacket {
  version: number;
  diagnostic: DiagnosticCode;
  state: SessionState;
  poll: boolean;
  final: boolean;
  controlPlaneIndependent: boolean;
  authentication: boolean;
  demand: boolean;
  multipoint: boolean;
  detectMult: number;
  /** The Length field as sent (not the datagram's length). */
  length: number;
  myDiscriminator: number;
  yourDiscriminator: number;
  desiredMinTxUs: number;
  requiredMinRxUs: number;
  requiredMinEchoRxUs: number;
}

export class BfdCodecError extends Error {
  readonly code: 'truncated' | 'field-range';
  constructor(code: 'truncated' | 'field-range', message: string) {
    super(message);
    this.name = 'BfdCodecError';
    this.code = code;
  }
}

/** Big-endian 32-bit read/write by hand: a DataView would reach for `.buffer`, which makes
 * JavaScriptCore move a small array's storage out of line (a malloc per packet). */
function u32(b: Uint8Array, off: number): number {
  return (
    (b[off] as number) * 0x1000000 +
    (((b[off + 1] as number) << 16) | ((b[off + 2] as number) << 8) | (b[off + 3] as number))
  );
}

function putU32(b: Uint8Array, off: number, v: number): void {
  b[off] = v >>> 24;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

export function decodeControl(b: Uint8Array): ControlPacket {
  if (b.length < CONTROL_LENGTH)
    throw new BfdCodecError('truncated', `BFD control packet of ${b.length} bytes, need ${CONTROL_LENGTH}`);
  const b0 = b[0] as number;
  const b1 = b[1] as number;
  return {
    version: b0 >>> VERSION_SHIFT,
    diagnostic: b0 & DIAG_MASK,
    state: STATE_BY_CODE[b1 >>> STATE_SHIFT] as SessionState,
    poll: (b1 & FLAG_POLL) !== 0,
    final: (b1 & FLAG_FINAL) !== 0,
    controlPlaneIndependent: (b1 & FLAG_CONTROL_PLANE_INDEPENDENT) !== 0,
    authentication: (b1 & FLAG_AUTH) !== 0,
    demand: (b1 & FLAG_DEMAND) !== 0,
    multipoint: (b1 & FLAG_MULTIPOINT) !== 0,
    detectMult: b[2] as number,
    length: b[3] as number,
    myDiscriminator: u32(b, 4),
    yourDiscriminator: u32(b, 8),
    desiredMinTxUs: u32(b, 12),
    requiredMinRxUs: u32(b, 16),
    requiredMinEchoRxUs: u32(b, 20),
  };
}

function u(name: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max)
    throw new BfdCodecError('field-range', `${name} ${v} out of range`);
  return v;
}

/** The 24-byte mandatory section (this codec never writes an authentication section). */
export function encodeControl(p: ControlPacket): Uint8Array {
  const b = new Uint8Array(CONTROL_LENGTH);
  b[0] = (u('version', p.version, 7) << VERSION_SHIFT) | u('diagnostic', p.diagnostic, DIAG_MASK);
  b[1] =
    (STATE_CODE[p.state] << STATE_SHIFT) |
    (p.poll ? FLAG_POLL : 0) |
    (p.final ? FLAG_FINAL : 0) |
    (p.controlPlaneIndependent ? FLAG_CONTROL_PLANE_INDEPENDENT : 0) |
    (p.authentication ? FLAG_AUTH : 0) |
    (p.demand ? FLAG_DEMAND : 0) |
    (p.multipoint ? FLAG_MULTIPOINT : 0);
  b[2] = u('detectMult', p.detectMult, 0xff);
  b[3] = u('length', p.length, 0xff);
  const U32 = 0xffffffff;
  putU32(b, 4, u('myDiscriminator', p.myDiscriminator, U32));
  putU32(b, 8, u('yourDiscriminator', p.yourDiscriminator, U32));
  putU32(b, 12, u('desiredMinTxUs', p.desiredMinTxUs, U32));
  putU32(b, 16, u('requiredMinRxUs', p.requiredMinRxUs, U32));
  putU32(b, 20, u('requiredMinEchoRxUs', p.requiredMinEchoRxUs, U32));
  return b;
}
