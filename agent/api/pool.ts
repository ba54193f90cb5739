/**
 * PURE. LoadBalancerIPPool: its TypeScript type and its one definition, from which the
 * validator (api/validate/) and the CRD schema (kube/manifests.ts) are derived.
 */
import {
  cidrRange,
  formatCidr,
  formatIP,
  type IPRange,
  parseCidr,
  parseIP,
  rangesOverlap,
} from '../net/ip.ts';
import { DEFAULT_RELEASE_DELAY_SECONDS } from './defaults.ts';
import { bool, custom, int, required, string } from './schema/field.ts';
import { IP_ADDRESS_PATTERN } from './schema/ip-pattern.ts';
import { list, object } from './schema/object.ts';
import { resource } from './schema/resource.ts';
import { conditions, labelSelector } from './shared-fields.ts';
import type { API_VERSION, Condition, LabelSelector, ObjectMeta } from './v1alpha1.ts';
import { absent, at, type Problem, type Rec, str } from './validate/fields.ts';

export interface IPBlock {
  cidr?: string;
  start?: string;
  stop?: string;
}

export interface LoadBalancerIPPool {
  apiVersion: typeof API_VERSION;
  kind: 'LoadBalancerIPPool';
  metadata: ObjectMeta;
  spec: {
    blocks: IPBlock[];
    disabled?: boolean;
    serviceSelector?: LabelSelector;
    /** Namespaces whose Services this pool serves, by the Namespace's labels; absent = every namespace. */
    namespaceSelector?: LabelSelector;
    allowFirstLastIPs?: boolean;
    autoAssign?: boolean;
    releaseDelaySeconds?: number;
  };
  status?: {
    conditions?: Condition[];
    ipsTotal?: string;
    ipsUsed?: string;
    ipsAvailable?: string;
    held?: HeldIP[];
    heldCount?: number;
    /** The blocks in one line (CIDRs and start-stop ranges), for the Blocks printer column. */
    blocks?: string;
  };
}

/** "172.198.1.0/30, 10.0.0.5-10.0.0.9": every block, CIDR or range, in spec order. */
export function blocksSummary(blocks: readonly IPBlock[]): string {
  return blocks.map((b) => b.cidr ?? `${b.start ?? '?'}-${b.stop ?? '?'}`).join(', ');
}

/** An address held for a deleted Service (status.held[]). */
export interface HeldIP {
  namespace: string;
  name: string;
  ip: string;
  /** RFC 3339: when the address goes back to the pool. */
  expires: string;
  /** RFC 3339: when the Service was deleted. */
  since?: string;
}

/** status.held[] lists at most this many holds (oldest first); heldCount counts them all. */
export const MAX_HELD_LISTED = 256;
/** A week: a longer hold is more likely a typo than a wish. */
const MAX_RELEASE_DELAY_SECONDS = 7 * 24 * 3600;

function cidr(v: unknown, path: string, out: Problem[]): string | undefined {
  const s = str(v, path, out, { nonEmpty: true });
  if (s === undefined) return undefined;
  const c = parseCidr(s, { strict: true });
  if (!c.ok) return void out.push({ path, message: c.error });
  return formatCidr(c.value);
}

const end = (which: string) =>
  custom<string>(
    `${which} address of the range (inclusive), IPv4 or IPv6; requires ${which === 'First' ? 'stop' : 'start'}.`,
    { type: 'string', pattern: IP_ADDRESS_PATTERN, maxLength: 39 },
    (v, path, out) => str(v, path, out, { nonEmpty: true }),
  );

const blockFields = {
  cidr: custom<string>(
    'A network such as 172.198.1.0/30 or 2001:db8::/64 (no host bits set).',
    { type: 'string', format: 'cidr', maxLength: 43 },
    cidr,
  ),
  start: end('First'),
  stop: end('Last'),
};

/** The block's addresses, for the overlap check (the block is already normalized). */
function blockRange(b: IPBlock): IPRange {
  if (b.cidr !== undefined) {
    const c = parseCidr(b.cidr);
    if (c.ok) return cidrRange(c.value);
  }
  const [s, e] = [parseIP(b.start ?? ''), parseIP(b.stop ?? '')];
  if (!s.ok || !e.ok) return { family: 4, first: 1n, last: 0n };
  return { family: s.value.family, first: s.value.value, last: e.value.value };
}

function blockBody(m: Rec, path: string, out: Problem[]): IPBlock | undefined {
  const hasCidr = !absent(m.cidr);
  if (hasCidr && (!absent(m.start) || !absent(m.stop))) {
    return void out.push({ path, message: 'must have either cidr or start/stop, not both' });
  }
  if (hasCidr) {
    const c = blockFields.cidr.parse(m.cidr, at(path, 'cidr'), out);
    return c === undefined ? undefined : { cidr: c };
  }
  if (absent(m.start) && absent(m.stop)) {
    return void out.push({ path, message: 'must have a cidr, or a start and a stop address' });
  }
  const ends: { family: 4 | 6; value: bigint; text: string }[] = [];
  for (const k of ['start', 'stop'] as const) {
    if (absent(m[k])) {
      out.push({ path: at(path, k), message: `is required with ${k === 'start' ? 'stop' : 'start'}` });
      continue;
    }
    const s = blockFields[k].parse(m[k], at(path, k), out);
    if (s === undefined) continue;
    const ip = parseIP(s);
    if (!ip.ok) out.push({ path: at(path, k), message: ip.error });
    else ends.push({ ...ip.value, text: formatIP(ip.value) });
  }
  if (ends.length !== 2) return undefined;
  const [start, stop] = ends as [(typeof ends)[0], (typeof ends)[0]];
  if (start.family !== stop.family) {
    return void out.push({
      path,
      message: `start ${start.text} and stop ${stop.text} must be of the same IP family`,
    });
  }
  if (start.value > stop.value) {
    return void out.push({ path, message: `start ${start.text} must not be after stop ${stop.text}` });
  }
  return { start: start.text, stop: stop.text };
}

const block = object<IPBlock>('IPv4/IPv6 addresses: either {cidr} or {start, stop}.', blockFields, {
  body: blockBody,
  extra: {
    'x-kubernetes-validations': [
      {
        rule: 'has(self.cidr) ? !has(self.start) && !has(self.stop) : has(self.start) && has(self.stop)',
        message: 'a block is either {cidr} or {start, stop}',
      },
    ],
  },
});

const count = (what: string) =>
  string(`${what} (a decimal string: an IPv6 pool can exceed 2^53).`, {
    pattern: { source: '^[0-9]+$', message: 'must be a decimal number' },
  });

export const poolResource = resource<LoadBalancerIPPool>({
  kind: 'LoadBalancerIPPool',
  description: 'A pool of IP addresses that edgelb hands out to LoadBalancer Services.',
  spec: required(
    object<LoadBalancerIPPool['spec']>('Which addresses the pool holds and which Services it serves.', {
      blocks: required(
        list(
          'The addresses of the pool: CIDRs or start/stop ranges, IPv4 and IPv6, not overlapping.',
          block,
          {
            min: { count: 1, message: 'must hold at least one block' },
            distinct: {
              clash: (a, b) => rangesOverlap(blockRange(a), blockRange(b)),
              message: (earlier) => `overlaps ${earlier}`,
            },
          },
        ),
        'is required (at least one block)',
      ),
      disabled: bool('No new allocations from this pool; IPs already given out stay.', { default: false }),
      allowFirstLastIPs: bool(
        'Also hand out the network and broadcast addresses of IPv4 CIDRs shorter than /31 and the IPv6 subnet-router anycast address (a first address with an all-zero interface ID, CIDRs shorter than /127).',
        { default: false },
      ),
      autoAssign: bool(
        'Give IPs to Services that do not ask for this pool; false = only explicit requests.',
        {
          default: true,
        },
      ),
      serviceSelector: labelSelector(
        'Services this pool serves; absent = every Service. Also matches the pseudo-labels io.kubernetes.service.namespace and io.kubernetes.service.name.',
      ),
      namespaceSelector: labelSelector(
        "Namespaces whose Services this pool serves, by the Namespace's own labels (ANDed with serviceSelector); absent = every namespace.",
      ),
      releaseDelaySeconds: int(
        `Seconds a deleted Service's IP stays held for its namespace/name, so re-creating it gives the same IP; 0 frees it at once. Absent: ${DEFAULT_RELEASE_DELAY_SECONDS} (applied when read, so existing pools keep their shape).`,
        0,
        MAX_RELEASE_DELAY_SECONDS,
      ),
    }),
  ),
  status: object<NonNullable<LoadBalancerIPPool['status']>>('What edgelb observed about the pool.', {
    conditions,
    ipsTotal: count('Addresses in the pool'),
    ipsUsed: count('Addresses given to Services'),
    ipsAvailable: count('Addresses still free'),
    held: list(
      `Addresses held for deleted Services (oldest first, at most ${MAX_HELD_LISTED}).`,
      object<HeldIP>('One held address.', {
        namespace: required(string('Namespace of the deleted Service.')),
        name: required(string('Name of the deleted Service.')),
        ip: required(string('The held address.')),
        expires: required(string('When the address goes back to the pool (RFC 3339).')),
        since: string('When the Service was deleted (RFC 3339).'),
      }),
    ),
    heldCount: int('How many addresses are held (status.held lists the oldest ones).', 0, 2 ** 31 - 1),
    blocks: string('The blocks in one line, CIDRs and start-stop ranges (the Blocks column of kubectl get).'),
  }),
});
