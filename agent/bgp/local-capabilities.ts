/** PURE. The capabilities edgelb advertises in its OPEN (RFC 5492). */
import type { SessionConfig } from './peer.ts';
import type { SessionDeps } from './session-types.ts';
import {
  AFI_IPV4,
  AFI_IPV6,
  CAP_AS4,
  CAP_EXTENDED_MESSAGE,
  CAP_FQDN,
  CAP_GRACEFUL_RESTART,
  CAP_MP,
  CAP_ROUTE_REFRESH,
  type Capability,
  SAFI_UNICAST,
} from './wire/index.ts';

/** RFC 4724 §3: the Restart Time field has 12 bits. */
export const MAX_RESTART_TIME = 4095;

export interface LocalCapabilityOptions {
  localASN: number;
  /** Announce IPv6 unicast (IPv4 unicast always). */
  ipv6: boolean;
  gracefulRestart: { enabled: boolean; restartTimeSeconds: number };
  /** The GR R-bit: this process restarted. */
  restarting: boolean;
  hostname?: string;
}

export function localCapabilities(o: LocalCapabilityOptions): Capability[] {
  const caps: Capability[] = [{ code: CAP_MP, afi: AFI_IPV4, safi: SAFI_UNICAST }];
  if (o.ipv6) caps.push({ code: CAP_MP, afi: AFI_IPV6, safi: SAFI_UNICAST });
  caps.push({ code: CAP_ROUTE_REFRESH }, { code: CAP_AS4, asn: o.localASN }, { code: CAP_EXTENDED_MESSAGE });
  if (o.gracefulRestart.enabled) {
    caps.push({
      code: CAP_GRACEFUL_RESTART,
      restarting: o.restarting,
      notification: false,
      restartTime: Math.min(MAX_RESTART_TIME, o.gracefulRestart.restartTimeSeconds),
      families: caps
        .filter((c): c is Extract<Capability, { code: typeof CAP_MP }> => c.code === CAP_MP)
        .map((c) => ({ afi: c.afi, safi: c.safi, forwarding: true })),
    });
  }
  if (o.hostname) caps.push({ code: CAP_FQDN, hostname: o.hostname, domain: '' });
  return caps;
}

/** What a session's OPEN advertises, from its peer config and the speaker's settings. */
export function sessionCapabilities(config: SessionConfig, deps: SessionDeps): Capability[] {
  return localCapabilities({
    localASN: config.localASN,
    ipv6: deps.ipv6 !== false,
    gracefulRestart: config.gracefulRestart,
    restarting: !!deps.restarting,
    ...(deps.hostname ? { hostname: deps.hostname } : {}),
  });
}
