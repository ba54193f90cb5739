/**
 * PURE. BGPPeeringPolicy: its TypeScript type and its one definition, from which the
 * validator (api/validate/) and the CRD schema (kube/manifests.ts) are derived.
 */
import { formatIP, parseCidr, parseIP } from '../net/ip.ts';
import {
  DEFAULT_AUTH_SECRET_KEY,
  DEFAULT_CONNECT_RETRY_TIME_SECONDS,
  DEFAULT_HOLD_TIME_SECONDS,
  DEFAULT_KEEPALIVE_TIME_SECONDS,
  DEFAULT_PEER_PORT,
  DEFAULT_RESTART_TIME_SECONDS,
} from './defaults.ts';
import { bool, custom, int, objectName, required, string } from './schema/field.ts';
import { HOST_ADDRESS_PATTERN } from './schema/ip-pattern.ts';
import { list, object } from './schema/object.ts';
import { resource } from './schema/resource.ts';
import { conditions, labelSelector } from './shared-fields.ts';
import type { API_VERSION, Condition, LabelSelector, ObjectMeta } from './v1alpha1.ts';
import { type Problem, show, str, UINT32_MAX } from './validate/fields.ts';

export interface BGPNeighbor {
  peerAddress: string;
  peerPort?: number;
  peerASN: number;
  eBGPMultihopTTL?: number;
  /** RFC 5082 GTSM: send with TTL 255, drop packets below 254 (the peer is one hop away and does the same). */
  gtsm?: boolean;
  connectRetryTimeSeconds?: number;
  holdTimeSeconds?: number;
  keepAliveTimeSeconds?: number;
  gracefulRestart?: { enabled?: boolean; restartTimeSeconds?: number };
  advertisedPathAttributes?: BGPPathAttributes;
  authSecretRef?: { name: string; namespace?: string; key?: string };
  /** Name of a BFDProfile; absent = no BFD for this neighbor. */
  bfdProfile?: string;
}

/** Path attributes of a neighbor (every route to it) or of an advertisement (its Services' routes). */
export interface BGPPathAttributes {
  communities?: { standard?: string[]; large?: string[] };
  localPreference?: number;
  /** MULTI_EXIT_DISC (RFC 4271 §5.1.4). */
  med?: number;
  /** Extra copies of the local AS in the AS path (eBGP only). */
  asPathPrepend?: number;
}

/** Which Services a virtual router announces, from which pools, with which attributes. */
export interface BGPAdvertisement {
  serviceSelector: LabelSelector;
  /** Pool names whose IPs are announced; absent = every pool. */
  pools?: string[];
  advertisedPathAttributes?: BGPPathAttributes;
  /** Honour the edgelb.io/bgp-* annotations of the Services it matches. */
  allowServiceAttributes?: boolean;
}

export interface BGPVirtualRouter {
  localASN: number;
  serviceSelector?: LabelSelector;
  advertisements?: BGPAdvertisement[];
  neighbors: BGPNeighbor[];
}

export interface BGPPeeringPolicy {
  apiVersion: typeof API_VERSION;
  kind: 'BGPPeeringPolicy';
  metadata: ObjectMeta;
  spec: {
    nodeSelector?: LabelSelector;
    virtualRouters: BGPVirtualRouter[];
  };
  status?: { conditions?: Condition[] };
}

/** RFC 1997 well-known communities, accepted by name and normalized to high:low. */
export const WELL_KNOWN_COMMUNITIES: Record<string, string> = {
  'graceful-shutdown': '65535:0',
  blackhole: '65535:666',
  'no-export': '65535:65281',
  'no-advertise': '65535:65282',
  'no-export-subconfed': '65535:65283',
  'local-as': '65535:65283',
  'no-peer': '65535:65284',
};

export function standardCommunity(v: unknown, path: string, out: Problem[]): string | undefined {
  const s = str(v, path, out, { nonEmpty: true });
  if (s === undefined) return undefined;
  const named = WELL_KNOWN_COMMUNITIES[s.toLowerCase()];
  if (named) return named;
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(s);
  if (m && Number(m[1]) <= 65535 && Number(m[2]) <= 65535) return `${Number(m[1])}:${Number(m[2])}`;
  if (/^\d{1,10}$/.test(s) && Number(s) <= UINT32_MAX)
    return `${Math.floor(Number(s) / 65536)}:${Number(s) % 65536}`;
  out.push({
    path,
    message: `must be a community "a:b" with a and b in 0..65535 (or a well-known name such as no-export), got ${show(s)}`,
  });
  return undefined;
}

export function largeCommunity(v: unknown, path: string, out: Problem[]): string | undefined {
  const s = str(v, path, out, { nonEmpty: true });
  if (s === undefined) return undefined;
  const m = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(s);
  if (m && [m[1], m[2], m[3]].every((x) => Number(x) <= UINT32_MAX)) {
    return `${Number(m[1])}:${Number(m[2])}:${Number(m[3])}`;
  }
  out.push({
    path,
    message: `must be a large community "a:b:c" with each part in 0..4294967295, got ${show(s)}`,
  });
  return undefined;
}

/** "192.168.2.1" or the host-prefix form "192.168.2.1/32" (Cilium's); returns the canonical address. */
function peerAddress(v: unknown, path: string, out: Problem[]): string | undefined {
  const s = str(v, path, out, { nonEmpty: true });
  if (s === undefined) return undefined;
  if (!s.includes('/')) {
    const ip = parseIP(s);
    if (!ip.ok) return void out.push({ path, message: `must be an IP address, got ${show(s)}` });
    return formatIP(ip.value);
  }
  const c = parseCidr(s);
  if (!c.ok || c.value.prefixLength !== (c.value.family === 4 ? 32 : 128)) {
    out.push({ path, message: `must be an IP address or a host prefix (/32 or /128), got ${show(s)}` });
    return undefined;
  }
  return formatIP({ family: c.value.family, value: c.value.base });
}

/** RFC 4271 §4.2: the hold time is 0 (no keepalives) or at least 3 seconds. */
function holdTime(v: unknown, path: string, out: Problem[]): number | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65535 || v === 1 || v === 2) {
    return void out.push({ path, message: `must be 0 or an integer 3..65535, got ${show(v)}` });
  }
  return v;
}

/** The most AS path copies an advertisement or a Service may add (a longer path is a mistake). */
export const MAX_AS_PATH_PREPEND = 10;

const pathAttributes = (description: string) =>
  object<BGPPathAttributes>(description, {
    localPreference: int('LOCAL_PREF (iBGP peers only).', 0, UINT32_MAX),
    med: int('MULTI_EXIT_DISC: lower is preferred by the peer.', 0, UINT32_MAX),
    asPathPrepend: int(
      `Extra copies of the local AS in the AS path (eBGP peers only), 0..${MAX_AS_PATH_PREPEND}.`,
      0,
      MAX_AS_PATH_PREPEND,
    ),
    communities: object<NonNullable<BGPPathAttributes['communities']>>(
      'Communities attached to the routes.',
      {
        standard: list(
          'Standard communities "a:b" (or well-known names such as no-export).',
          custom<string>(
            'A community.',
            { type: 'string', pattern: '^([0-9]{1,5}:[0-9]{1,5}|[0-9]{1,10}|[a-zA-Z-]+)$' },
            standardCommunity,
          ),
          { dedupe: true },
        ),
        large: list(
          'Large communities "a:b:c" (RFC 8092).',
          custom<string>(
            'A large community.',
            { type: 'string', pattern: '^[0-9]{1,10}:[0-9]{1,10}:[0-9]{1,10}$' },
            largeCommunity,
          ),
          { dedupe: true },
        ),
      },
    ),
  });

const asn = (description: string) => int(description, 1, UINT32_MAX);

const neighbor = object<BGPNeighbor>(
  'A BGP peer (router) this node opens a session to.',
  {
    peerAddress: required(
      custom<string>(
        'The peer\'s IP address; the host-prefix form "192.168.2.1/32" is accepted.',
        { type: 'string', pattern: HOST_ADDRESS_PATTERN, maxLength: 43 },
        peerAddress,
      ),
    ),
    peerASN: required(asn("The peer's AS number (1..4294967295).")),
    peerPort: int('TCP port of the peer.', 1, 65535, { default: DEFAULT_PEER_PORT }),
    eBGPMultihopTTL: int('TTL of the session for a peer more than one hop away; absent = 1 hop.', 1, 255),
    gtsm: bool(
      'GTSM (RFC 5082): send with TTL 255 and drop packets with a TTL below 254, so only a directly connected peer that does the same can reach the session. Not with eBGPMultihopTTL. Absent = off.',
    ),
    connectRetryTimeSeconds: int('Seconds between connection attempts.', 1, 2147483647, {
      default: DEFAULT_CONNECT_RETRY_TIME_SECONDS,
    }),
    keepAliveTimeSeconds: int('Seconds between KEEPALIVEs; must be less than the hold time.', 1, 65535, {
      default: DEFAULT_KEEPALIVE_TIME_SECONDS,
    }),
    holdTimeSeconds: custom<number>(
      'Seconds without a message before the session is dropped: 0 (never) or 3..65535.',
      {
        type: 'integer',
        format: 'int64',
        minimum: 0,
        maximum: 65535,
        'x-kubernetes-validations': [{ rule: 'self == 0 || self >= 3', message: 'must be 0 or 3..65535' }],
      },
      holdTime,
      DEFAULT_HOLD_TIME_SECONDS,
    ),
    gracefulRestart: object<NonNullable<BGPNeighbor['gracefulRestart']>>(
      'Graceful Restart (RFC 4724): the peer keeps our routes while this node restarts.',
      {
        enabled: bool('Advertise the Graceful Restart capability.', { default: false }),
        // 12 bits in the Graceful Restart capability (RFC 4724).
        restartTimeSeconds: int('Seconds the peer keeps our routes after the session drops.', 1, 4095, {
          default: DEFAULT_RESTART_TIME_SECONDS,
        }),
      },
      { defaultEmpty: true },
    ),
    advertisedPathAttributes: pathAttributes('Path attributes added to every route announced to this peer.'),
    authSecretRef: object<NonNullable<BGPNeighbor['authSecretRef']>>(
      'The Secret holding the TCP-MD5 password (RFC 2385) of this session.',
      {
        name: required(objectName('Name of the Secret.')),
        namespace: objectName("Namespace of the Secret; absent = edgelb's namespace."),
        key: string('Key of the password in the Secret.', {
          nonEmpty: true,
          default: DEFAULT_AUTH_SECRET_KEY,
        }),
      },
    ),
    bfdProfile: objectName(
      'Name of a BFDProfile: BFD (RFC 5880) detects a dead link in under a second and drops the session. Absent = no BFD.',
    ),
  },
  {
    checks: [
      {
        uses: ['gtsm', 'eBGPMultihopTTL'],
        check(n, path, out) {
          if (n.gtsm && n.eBGPMultihopTTL !== undefined)
            out.push({
              path: `${path}.gtsm`,
              message:
                'cannot be used with eBGPMultihopTTL: GTSM accepts only a peer one hop away (RFC 5082); drop one of them',
            });
        },
      },
      {
        uses: ['holdTimeSeconds', 'keepAliveTimeSeconds'],
        check(n, path, out) {
          const hold = n.holdTimeSeconds!;
          const keep = n.keepAliveTimeSeconds!;
          if (hold !== 0 && keep >= hold) {
            out.push({
              path: `${path}.keepAliveTimeSeconds`,
              message: `must be less than holdTimeSeconds (${hold}), got ${keep}`,
            });
          }
        },
      },
    ],
  },
);

const advertisement = object<BGPAdvertisement>(
  'Services announced to every neighbor of the virtual router, with their own path attributes.',
  {
    serviceSelector: required(
      labelSelector('Services this advertisement announces; {} = all.'),
      'is required ({} = every Service)',
    ),
    pools: list('Pools whose IPs are announced; absent = every pool.', objectName('A pool name.'), {
      dedupe: true,
    }),
    advertisedPathAttributes: pathAttributes(
      "Path attributes of these Services' routes: communities add to the neighbor's, localPreference, med and asPathPrepend replace the neighbor's.",
    ),
    allowServiceAttributes: bool(
      'Honour the edgelb.io/bgp-communities, bgp-large-communities, bgp-local-pref and bgp-as-path-prepend annotations of the Services it matches.',
      { default: false },
    ),
  },
);

const virtualRouter = object<BGPVirtualRouter>(
  'A local AS and the peers this node talks to as it.',
  {
    localASN: required(asn('The AS number this node speaks as.')),
    serviceSelector: labelSelector(
      "Services announced with the neighbors' attributes; absent = none, {} = all. Works as one more advertisement.",
    ),
    advertisements: list('Services announced, each with its own pools and path attributes.', advertisement),
    neighbors: required(
      list('The peers.', neighbor, {
        distinct: {
          field: 'peerAddress',
          clash: (a, b) => a.peerAddress === b.peerAddress,
          message: (earlier, n) => `duplicates ${earlier} (${n.peerAddress})`,
        },
      }),
      'is required (a list of peers)',
    ),
  },
  {
    checks: [
      {
        uses: ['localASN', 'neighbors', 'advertisements'],
        check(vr, path, out) {
          // LOCAL_PREF is never sent to an eBGP peer (RFC 4271 §5.1.5): setting it where every
          // neighbor is eBGP is a mistake that would otherwise go unnoticed.
          const ibgp = vr.neighbors.some((n) => n.peerASN === vr.localASN);
          const ebgp = vr.neighbors.some((n) => n.peerASN !== vr.localASN);
          for (const [i, a] of (vr.advertisements ?? []).entries()) {
            const at = `${path}.advertisements[${i}].advertisedPathAttributes`;
            if (!ibgp && a.advertisedPathAttributes?.localPreference !== undefined)
              out.push({
                path: `${at}.localPreference`,
                message: `is only sent to iBGP peers, and every neighbor of this virtual router is eBGP (localASN ${vr.localASN}); drop it or use med`,
              });
            // Likewise the prepend: an iBGP peer would find its own AS in the path.
            if (!ebgp && a.advertisedPathAttributes?.asPathPrepend)
              out.push({
                path: `${at}.asPathPrepend`,
                message: `is only applied toward eBGP peers, and every neighbor of this virtual router is iBGP (AS ${vr.localASN}); drop it or use localPreference`,
              });
          }
        },
      },
    ],
  },
);

export const policyResource = resource<BGPPeeringPolicy>({
  kind: 'BGPPeeringPolicy',
  description: 'Which nodes open BGP sessions to which routers, and which Services they announce.',
  spec: required(
    object<BGPPeeringPolicy['spec']>('Nodes, local AS and peers.', {
      nodeSelector: labelSelector('Nodes this policy applies to; absent or {} = every node.'),
      virtualRouters: required(
        list('One entry per local AS.', virtualRouter, {
          min: { count: 1, message: 'must hold at least one virtual router' },
        }),
      ),
    }),
  ),
  status: object<NonNullable<BGPPeeringPolicy['status']>>('What edgelb observed about the policy.', {
    conditions,
  }),
});
