/**
 * PURE. BFDProfile (RFC 5880 timers for the BGP neighbors that name it): its TypeScript
 * type and its one definition, from which the validator and the CRD schema are derived.
 */
import {
  DEFAULT_BFD_DETECT_MULTIPLIER,
  DEFAULT_BFD_MINIMUM_TTL,
  DEFAULT_BFD_PASSIVE_MODE,
  DEFAULT_BFD_RECEIVE_INTERVAL_MS,
  DEFAULT_BFD_TRANSMIT_INTERVAL_MS,
} from './defaults.ts';
import { bool, int } from './schema/field.ts';
import { object } from './schema/object.ts';
import { resource } from './schema/resource.ts';
import type { API_VERSION, ObjectMeta } from './v1alpha1.ts';

/** Interval bounds, milliseconds: 10 ms is as fast as a userspace speaker can keep up; 60 s as slow as is useful. */
export const BFD_MIN_INTERVAL_MS = 10;
export const BFD_MAX_INTERVAL_MS = 60000;
/** The detect multiplier is one octet and must not be 0 (RFC 5880 §6.8.1); 1 is legal (§6.8.7 jitter rule). */
export const BFD_MIN_DETECT_MULTIPLIER = 1;
export const BFD_MAX_DETECT_MULTIPLIER = 255;
/** Lowest acceptable TTL of a multihop packet: 1..254 (255 would be single hop). */
export const BFD_MIN_TTL = 1;
export const BFD_MAX_TTL = 254;

export interface BFDProfile {
  apiVersion: typeof API_VERSION;
  kind: 'BFDProfile';
  metadata: ObjectMeta;
  spec: {
    receiveIntervalMilliseconds?: number;
    transmitIntervalMilliseconds?: number;
    detectMultiplier?: number;
    passiveMode?: boolean;
    minimumTtl?: number;
  };
}

const interval = (description: string, dflt: number) =>
  int(description, BFD_MIN_INTERVAL_MS, BFD_MAX_INTERVAL_MS, { default: dflt });

export const bfdProfileResource = resource<BFDProfile>({
  kind: 'BFDProfile',
  description:
    'BFD (RFC 5880) timers for BGP neighbors that name this profile in bfdProfile: a dead link is detected in detectMultiplier x the negotiated interval.',
  spec: object<BFDProfile['spec']>(
    'The BFD session parameters; every field has a default.',
    {
      receiveIntervalMilliseconds: interval(
        'Required Min RX Interval: the fastest this node accepts control packets, in milliseconds (10..60000).',
        DEFAULT_BFD_RECEIVE_INTERVAL_MS,
      ),
      transmitIntervalMilliseconds: interval(
        'Desired Min TX Interval: how often this node wants to send control packets, in milliseconds (10..60000).',
        DEFAULT_BFD_TRANSMIT_INTERVAL_MS,
      ),
      detectMultiplier: int(
        'Control packets that may be missed before the session is declared down (1..255).',
        BFD_MIN_DETECT_MULTIPLIER,
        BFD_MAX_DETECT_MULTIPLIER,
        { default: DEFAULT_BFD_DETECT_MULTIPLIER },
      ),
      passiveMode: bool('Wait for the peer to send first instead of starting the session.', {
        default: DEFAULT_BFD_PASSIVE_MODE,
      }),
      minimumTtl: int(
        'Multihop only (RFC 5883): packets with a lower TTL are discarded (1..254).',
        BFD_MIN_TTL,
        BFD_MAX_TTL,
        { default: DEFAULT_BFD_MINIMUM_TTL },
      ),
    },
    { defaultEmpty: true },
  ),
});
