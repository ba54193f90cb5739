/**
 * Builds the /status document and the /readyz reasons from what the loop, the source and
 * the speaker know. Followers read allocations and pool figures from status, exactly as
 * the leader wrote them.
 */
import { serviceKey } from '../api/core.ts';
import { SERVICE_CONDITION } from '../api/v1alpha1.ts';
import type { BfdDoc, L2Doc, MaintenanceDoc, PeerDoc, StatusDoc } from '../http/status-doc.ts';
import { BLOCKED_LISTED } from '../http/status-doc.ts';
import { cidrRange, type IPRange, inRange, parseCidr, parseIP } from '../net/ip.ts';
import type { Source } from '../source/types.ts';
import { blockedNow } from './announcements.ts';
import { blockedProblems } from './plan/announce-reasons.ts';
import { NODE_STATE_WORDS, type NodeReason } from './plan/node-state.ts';
import { statusIPs } from './plan/to-domain.ts';
import type { Reconciler } from './reconciler.ts';

export interface SpeakerView {
  status(): (PeerDoc & { id: string })[];
  advertised(): string[];
}

export interface StatusInputs {
  node: string;
  version: string;
  routerId: () => string;
  source: Source;
  reconciler: Reconciler;
  speaker: () => SpeakerView | undefined;
  /** L2 mode's view (l2-announcer.ts status()); absent = no L2 section. */
  l2?: () => L2Doc;
  /** BFD per peer address (reconcile/bfd-coupling.ts); absent: BFD not wired. */
  bfd?: BfdView;
  /** `edgelb drain` in effect (reconcile/maintenance.ts); absent: no control socket. */
  drained?: () => boolean;
}

/** The maintenance section: the strongest reason names the state ("active" when none). */
export function maintenanceDoc(i: Pick<StatusInputs, 'reconciler' | 'drained'>): MaintenanceDoc {
  const reasons = i.reconciler.withholds().map((w) => ({ reason: w.reason, message: w.message }));
  const first = reasons[0]?.reason as NodeReason | undefined;
  return { state: first ? NODE_STATE_WORDS[first] : 'active', drained: i.drained?.() ?? false, reasons };
}

export interface BfdView {
  status(address: string): BfdDoc | undefined;
  problems(): string[];
}

function poolRanges(source: Source): { name: string; ranges: IPRange[] }[] {
  return source.observe().pools.map((p) => ({
    name: p.metadata.name,
    ranges: (p.spec.blocks ?? []).flatMap((b): IPRange[] => {
      if (b.cidr) {
        const c = parseCidr(b.cidr);
        return c.ok ? [cidrRange(c.value)] : [];
      }
      const a = parseIP(b.start ?? '');
      const z = parseIP(b.stop ?? '');
      return a.ok && z.ok && a.value.family === z.value.family
        ? [{ family: a.value.family, first: a.value.value, last: z.value.value }]
        : [];
    }),
  }));
}

function poolOf(ip: string, pools: { name: string; ranges: IPRange[] }[]): string {
  const parsed = parseIP(ip);
  if (!parsed.ok) return '';
  return pools.find((p) => p.ranges.some((r) => inRange(parsed.value, r)))?.name ?? '';
}

export function buildStatus(i: StatusInputs): StatusDoc {
  const observed = i.source.observe();
  const isLeader = i.source.leadership.isLeader();
  const speaker = i.speaker();
  const ranges = poolRanges(i.source);
  const results = new Map(i.reconciler.results().map((r) => [r.key, r]));
  const allocations: StatusDoc['allocations'] = [];
  const pending: StatusDoc['pending'] = [];
  for (const svc of [...observed.services].sort((a, b) => serviceKey(a).localeCompare(serviceKey(b)))) {
    const ips = statusIPs(svc);
    const r = results.get(serviceKey(svc));
    if (ips.length > 0) {
      const pool = r?.ok ? r.pool : [...new Set(ips.map((ip) => poolOf(ip, ranges)))].join(', ');
      allocations.push({ namespace: svc.metadata.namespace, name: svc.metadata.name, ips, pool });
      continue;
    }
    const c = svc.status?.conditions?.find((x) => x.type === SERVICE_CONDITION);
    if (r && !r.ok)
      pending.push({
        namespace: svc.metadata.namespace,
        name: svc.metadata.name,
        reason: r.reason,
        message: r.message,
      });
    else if (c && c.status === 'False') {
      pending.push({
        namespace: svc.metadata.namespace,
        name: svc.metadata.name,
        reason: c.reason,
        message: c.message,
      });
    }
  }
  const poolResults = i.reconciler.poolResults();
  const pools: StatusDoc['pools'] =
    isLeader && poolResults.length > 0
      ? poolResults.map((p) => ({ ...p, conditions: p.conditions.map((c) => ({ ...c })) }))
      : observed.pools.map((p) => ({
          name: p.metadata.name,
          total: p.status?.ipsTotal ?? '',
          used: p.status?.ipsUsed ?? '',
          available: p.status?.ipsAvailable ?? '',
          conditions: (p.status?.conditions ?? []).map((c) => ({
            type: c.type,
            status: c.status,
            reason: c.reason,
            message: c.message,
          })),
          ...(p.status?.heldCount ? { held: p.status.heldCount } : {}),
        }));
  const peers: PeerDoc[] = (speaker?.status() ?? []).map(({ id: _id, ...p }) => {
    const bfd = i.bfd?.status(p.address);
    return bfd ? { ...p, bfd } : p;
  });
  const problems = [
    ...i.source.problems(),
    ...i.reconciler.problems(),
    ...(i.bfd?.problems() ?? []),
    ...peers.flatMap((p) => (p.bfdProblem ? [`BGP peer ${p.address}: ${p.bfdProblem}`] : [])),
    ...unannounceableReasons(speaker?.status() ?? []),
  ];
  const blocked = blockedNow(i);
  problems.push(...blockedProblems(blocked));
  const reasons = notReadyReasons(i);
  return {
    node: i.node,
    version: i.version,
    ready: reasons.length === 0,
    problems,
    leader: { isLeader, holder: i.source.leadership.holder() },
    source: { kind: i.source.kind, synced: observed.synced },
    allocations,
    pending,
    pools,
    bgp: {
      routerId: i.routerId(),
      peers,
      advertised: speaker?.advertised() ?? [],
      ...invalidServiceAttributes(i.reconciler.plan()?.serviceProblems),
    },
    ...(i.l2 ? { l2: i.l2() } : {}),
    maintenance: maintenanceDoc(i),
    announcements: {
      blocked: blocked
        .slice(0, BLOCKED_LISTED)
        .map((b) => ({ ip: b.ip, code: b.reason.code, message: b.reason.message })),
      blockedTotal: blocked.length,
    },
  };
}

/** The bad annotations the announce plan met, sorted by Service (omitted when none). */
function invalidServiceAttributes(problems: ReadonlyMap<string, string[]> | undefined): {
  invalidServiceAttributes?: { service: string; problems: string[] }[];
} {
  if (!problems?.size) return {};
  return {
    invalidServiceAttributes: [...problems]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([service, p]) => ({ service, problems: [...p] })),
  };
}

/**
 * /readyz: the source has synced (else which resources are not, and the source's problems say
 * why) and every configured session is Established.
 */
export function notReadyReasons(i: StatusInputs): string[] {
  const reasons: string[] = [];
  const observed = i.source.observe();
  if (!observed.synced) {
    const waiting = i.source.unsynced?.() ?? [];
    reasons.push(
      `${i.source.kind} source has not synced yet${waiting.length > 0 ? `: not listed in full: ${waiting.join(', ')}` : ''}`,
    );
  }
  for (const p of i.source.problems()) reasons.push(p);
  const plan = i.reconciler.plan();
  const speaker = i.speaker();
  if (plan && plan.peers.length > 0 && !speaker) reasons.push('BGP speaker not started: no router ID yet');
  for (const p of speaker?.status() ?? []) {
    if (p.state !== 'Established') reasons.push(`BGP peer ${p.id} is ${p.state}`);
  }
  reasons.push(...unannounceableReasons(speaker?.status() ?? []));
  reasons.push(...blockedProblems(blockedNow(i)));
  return reasons;
}

/** One sentence per allocated IP a peer cannot be sent for want of a next hop of its family. */
export function unannounceableReasons(peers: readonly { id: string; unannounceable?: string[] }[]): string[] {
  return peers.flatMap((p) =>
    (p.unannounceable ?? []).map((prefix) => {
      const ip = prefix.replace(/\/(32|128)$/, '');
      const family = ip.includes(':') ? 'IPv6' : 'IPv4';
      return `IP ${ip} cannot be announced to BGP peer ${p.id}: no ${family} next hop (this node has no global ${family} address usable as one; see bgp.nodeAddressCIDRs)`;
    }),
  );
}
