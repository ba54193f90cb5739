/** A BFD Control packet for tests: version 1, no flags, 300 ms both ways, multiplier 3, 24 bytes; override any field. */
import type { ControlPacket } from '../../agent/bfd/packet.ts';

export function controlPacket(o: Partial<ControlPacket> = {}): ControlPacket {
  return {
    version: 1,
    diagnostic: 0,
    state: 'Up',
    poll: false,
    final: false,
    controlPlaneIndependent: false,
    authentication: false,
    demand: false,
    multipoint: false,
    detectMult: 3,
    length: 24,
    myDiscriminator: 1,
    yourDiscriminator: 0,
    desiredMinTxUs: 300_000,
    requiredMinRxUs: 300_000,
    requiredMinEchoRxUs: 0,
    ...o,
  };
}
