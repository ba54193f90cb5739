/**
 * PURE. The BFD parameters of one neighbor (the shape of a BFDProfile's spec, in the units
 * users write) and their mapping onto RFC 5880 variables. Transmit is DesiredMinTx and
 * receive is RequiredMinRx, never the other way round (research note trap 13).
 */
import type { BfdConfig } from './fsm.ts';

export interface BfdProfile {
  receiveIntervalMs: number;
  transmitIntervalMs: number;
  detectMultiplier: number;
  passiveMode: boolean;
  /** Multihop only (RFC 5883 §5): packets with a lower TTL are discarded. */
  minimumTtl: number;
}

export const DEFAULT_BFD_PROFILE: Readonly<BfdProfile> = {
  receiveIntervalMs: 300,
  transmitIntervalMs: 300,
  detectMultiplier: 3,
  passiveMode: false,
  minimumTtl: 254,
};

const US_PER_MS = 1000;

export function profileToConfig(p: BfdProfile): BfdConfig {
  return {
    desiredMinTxUs: p.transmitIntervalMs * US_PER_MS,
    requiredMinRxUs: p.receiveIntervalMs * US_PER_MS,
    detectMult: p.detectMultiplier,
    passive: p.passiveMode,
  };
}
