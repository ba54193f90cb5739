/**
 * PURE. Every documented default of edgelb's resources and of the L2 liveness settings,
 * in one place. The validators fill them in, the CRD schemas publish them (`default:`),
 * and the BGP/BFD/L2 code imports them instead of repeating the numbers.
 */

/** BGPPeeringPolicy neighbor: TCP port of the peer (RFC 4271). */
export const DEFAULT_PEER_PORT = 179;
/** BGPPeeringPolicy neighbor: proposed hold time (RFC 4271 §10 suggests 90 s). */
export const DEFAULT_HOLD_TIME_SECONDS = 90;
/** BGPPeeringPolicy neighbor: KEEPALIVE interval (a third of the hold time). */
export const DEFAULT_KEEPALIVE_TIME_SECONDS = 30;
/** BGPPeeringPolicy neighbor: wait between connection attempts (RFC 4271 §10: 120 s). */
export const DEFAULT_CONNECT_RETRY_TIME_SECONDS = 120;
/** BGPPeeringPolicy neighbor: Graceful Restart time advertised (RFC 4724). */
export const DEFAULT_RESTART_TIME_SECONDS = 120;
/** BGPPeeringPolicy neighbor: key of the TCP-MD5 password in the authSecretRef Secret. */
export const DEFAULT_AUTH_SECRET_KEY = 'password';

/** LoadBalancerIPPool: seconds a deleted Service's IP stays held for its namespace/name (0 = off). */
export const DEFAULT_RELEASE_DELAY_SECONDS = 600;

/** BFDProfile: required minimum receive interval (RFC 5880 §4.1), milliseconds. */
export const DEFAULT_BFD_RECEIVE_INTERVAL_MS = 300;
/** BFDProfile: desired minimum transmit interval, milliseconds. */
export const DEFAULT_BFD_TRANSMIT_INTERVAL_MS = 300;
/** BFDProfile: detection time = multiplier × the negotiated interval (300 ms × 3 = 900 ms). */
export const DEFAULT_BFD_DETECT_MULTIPLIER = 3;
/** BFDProfile: false = send control packets first instead of waiting for the peer's. */
export const DEFAULT_BFD_PASSIVE_MODE = false;
/** BFDProfile: lowest TTL accepted from a multihop peer (RFC 5883); 255 - 1 hop. */
export const DEFAULT_BFD_MINIMUM_TTL = 254;

/**
 * L2 heartbeat Lease (config l2.*). An owner that dies silently is replaced once its
 * Lease expires: lease 2 s + one renew period 0.5 s + the takeover's gratuitous burst
 * stays under the 3 s failover target. The Lease API counts whole seconds, so the
 * duration is an integer; the renew interval is local and may be fractional.
 * Writes: 1 / 0.5 s = 2 Lease updates per second per node (6/s at 3 nodes, 100/s at 50).
 */
export const DEFAULT_L2_LEASE_DURATION_SECONDS = 2;
export const DEFAULT_L2_RENEW_INTERVAL_SECONDS = 0.5;
/** Gratuitous ARP / unsolicited NA period, so switch MAC tables never age out. */
export const DEFAULT_L2_GRATUITOUS_INTERVAL_SECONDS = 60;

/** The same values grouped, for code that wants them as one object. */
export const DEFAULTS = {
  peerPort: DEFAULT_PEER_PORT,
  holdTimeSeconds: DEFAULT_HOLD_TIME_SECONDS,
  keepAliveTimeSeconds: DEFAULT_KEEPALIVE_TIME_SECONDS,
  connectRetryTimeSeconds: DEFAULT_CONNECT_RETRY_TIME_SECONDS,
  restartTimeSeconds: DEFAULT_RESTART_TIME_SECONDS,
  authSecretKey: DEFAULT_AUTH_SECRET_KEY,
  bfd: {
    receiveIntervalMilliseconds: DEFAULT_BFD_RECEIVE_INTERVAL_MS,
    transmitIntervalMilliseconds: DEFAULT_BFD_TRANSMIT_INTERVAL_MS,
    detectMultiplier: DEFAULT_BFD_DETECT_MULTIPLIER,
    passiveMode: DEFAULT_BFD_PASSIVE_MODE,
    minimumTtl: DEFAULT_BFD_MINIMUM_TTL,
  },
  l2: {
    leaseDurationSeconds: DEFAULT_L2_LEASE_DURATION_SECONDS,
    renewIntervalSeconds: DEFAULT_L2_RENEW_INTERVAL_SECONDS,
    gratuitousIntervalSeconds: DEFAULT_L2_GRATUITOUS_INTERVAL_SECONDS,
  },
} as const;
