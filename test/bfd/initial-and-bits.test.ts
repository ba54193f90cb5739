/**
 * Exact values the round-trip tests leave loose: the §6.8.1 initial state, every bit of the
 * packet a state sends (P and F never together), a lower RequiredMinRx applying at once when
 * not Up, and the 26-byte minimum of a packet whose A bit announces authentication.
 */
import { describe, expect, test } from 'bun:test';
import { checkDatagram } from '../../agent/bfd/checks.ts';
import { Diagnostic } from '../../agent/bfd/diagnostic.ts';
import { type BfdConfig, controlPacket, initialState, step } from '../../agent/bfd/fsm.ts';
import {
  BfdCodecError,
  CONTROL_LENGTH_WITH_AUTH,
  type ControlPacket,
  encodeControl,
} from '../../agent/bfd/packet.ts';
import { controlPacket as packetWith } from './control-packet.ts';

const CFG: BfdConfig = { desiredMinTxUs: 300_000, requiredMinRxUs: 300_000, detectMult: 3, passive: false };
const mid = () => 0.5;

test('the initial state (§6.8.1): Down, remote unknown, RemoteMinRxInterval 1 µs, slow start', () => {
  expect(initialState(CFG, 0x1111)).toStrictEqual({
    sessionState: 'Down',
    localDiag: Diagnostic.NoDiagnostic,
    localDiscr: 0x1111,
    remoteDiscr: 0,
    remoteState: 'Down',
    remoteMinRxUs: 1,
    remoteDesiredMinTxUs: 0,
    remoteDetectMult: 0,
    remoteDiag: Diagnostic.NoDiagnostic,
    config: CFG,
    desiredMinTxUs: 1_000_000,
    requiredMinRxUs: 300_000,
    txBasisUs: 1_000_000,
    rxBasisUs: 300_000,
    polling: false,
  });
});

describe('controlPacket', () => {
  const s = initialState(CFG, 0x1111);
  const packet: ControlPacket = packetWith({
    diagnostic: Diagnostic.NoDiagnostic,
    state: 'Down',
    myDiscriminator: 0x1111,
    yourDiscriminator: 0,
    desiredMinTxUs: 1_000_000,
  });
  const cases: [{ poll?: boolean; final?: boolean }, { poll: boolean; final: boolean }][] = [
    [{}, { poll: false, final: false }],
    [{ poll: true }, { poll: true, final: false }],
    [
      { poll: true, final: false },
      { poll: true, final: false },
    ],
    [
      { poll: false, final: true },
      { poll: false, final: true },
    ],
    [
      { poll: true, final: true },
      { poll: false, final: true },
    ],
  ];
  for (const [bits, want] of cases)
    test(`${JSON.stringify(bits)} -> P=${want.poll} F=${want.final}, every other bit clear`, () => {
      expect(controlPacket(s, bits)).toStrictEqual({ ...packet, ...want });
    });
});

test('not Up: a lower RequiredMinRx is in force at once (and still polled)', () => {
  const s = initialState(CFG, 0x1111);
  const r = step(s, { type: 'ConfigChange', config: { ...CFG, requiredMinRxUs: 100_000 } }, 0, mid);
  expect(r.state.requiredMinRxUs).toBe(100_000);
  expect(r.state.rxBasisUs).toBe(100_000);
  expect(r.state.polling).toBe(true);
});

describe('the length of a packet with the A bit', () => {
  const withAuth = (length: number) => {
    const b = new Uint8Array(32);
    b.set(
      encodeControl({
        ...controlPacket(initialState(CFG, 0x2222)),
        authentication: true,
        length,
      }),
    );
    return b;
  };
  test(`under ${CONTROL_LENGTH_WITH_AUTH} bytes it is a bad length`, () => {
    expect(checkDatagram(withAuth(25), 255, 255)).toEqual({ ok: false, reason: 'bad-length' });
  });
  test(`${CONTROL_LENGTH_WITH_AUTH} bytes pass the length check (and fail on authentication)`, () => {
    expect(checkDatagram(withAuth(26), 255, 255)).toEqual({ ok: false, reason: 'authentication-mismatch' });
  });
});

describe('encodeControl refuses fields out of range', () => {
  const base = () => controlPacket(initialState(CFG, 0x2222));
  const cases: [string, Record<string, number>, string][] = [
    ['version 8', { version: 8 }, 'version 8 out of range'],
    ['version -1', { version: -1 }, 'version -1 out of range'],
    ['version 1.5', { version: 1.5 }, 'version 1.5 out of range'],
    ['length 256', { length: 256 }, 'length 256 out of range'],
    ['detect mult 256', { detectMult: 256 }, 'detectMult 256 out of range'],
  ];
  for (const [name, field, message] of cases)
    test(name, () => {
      let err: unknown;
      try {
        encodeControl({ ...base(), ...field });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BfdCodecError);
      expect((err as BfdCodecError).code).toBe('field-range');
      expect((err as Error).message).toBe(message);
    });
  test('the widest values are accepted', () => {
    const b = encodeControl({ ...base(), version: 7, length: 255, detectMult: 255 });
    expect([b[0]! >>> 5, b[2], b[3]]).toEqual([7, 255, 255]);
  });
});
