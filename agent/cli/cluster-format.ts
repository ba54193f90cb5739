/**
 * PURE. `edgelb status --cluster` (every node's peers and counts, one row per session, as
 * `cilium bgp peers` lists them) and `edgelb explain` (one line per fact) for people.
 */
import type { EdgeLBNode } from '../api/edgelb-node.ts';
import { type Explanation, formatExplanation } from '../reconcile/plan/explain.ts';
import { table } from './status-format.ts';

/** A cluster is healthy when every node has written its object, with every session up and nothing blocked. */
export function clusterHealthy(nodes: readonly EdgeLBNode[], nodeNames: readonly string[]): boolean {
  const seen = new Set(nodes.map((n) => n.metadata.name));
  return (
    nodeNames.every((n) => seen.has(n)) &&
    nodes.every(
      (n) =>
        !!n.status && n.status.blockedTotal === 0 && n.status.peers.every((p) => p.state === 'Established'),
    )
  );
}

export function formatClusterStatus(nodes: readonly EdgeLBNode[], nodeNames: readonly string[]): string {
  const out: string[] = [];
  const peerRows: string[][] = [];
  for (const n of nodes)
    for (const p of n.status?.peers ?? [])
      peerRows.push([
        n.metadata.name,
        String(p.localASN),
        p.peer,
        String(p.peerASN),
        p.state,
        p.since,
        String(p.advertised),
        p.bfdState || '-',
        p.lastError || '-',
      ]);
  out.push(
    ...table(
      [
        'Node',
        'Local AS',
        'Peer Address',
        'Peer AS',
        'Session State',
        'Since',
        'Advertised',
        'BFD',
        'Last Error',
      ],
      peerRows,
    ),
    '',
  );
  out.push(
    ...table(
      ['Node', 'Peers Up', 'Announced', 'Blocked', 'L2 Owned'],
      nodes.map((n) => {
        const s = n.status;
        return [
          n.metadata.name,
          s ? `${s.peersUp}/${s.peers.length}` : '-',
          s ? String(s.announced) : '-',
          s ? String(s.blockedTotal) : '-',
          s ? String(s.l2OwnedTotal) : '-',
        ];
      }),
    ),
  );
  const have = new Set(nodes.map((n) => n.metadata.name));
  for (const name of nodeNames)
    if (!have.has(name))
      out.push(`Node ${name}: no EdgeLBNode (edgelb not running there, or not yet written)`);
  for (const n of nodes) {
    const s = n.status;
    if (!s) {
      out.push(`Node ${n.metadata.name}: no status written yet`);
      continue;
    }
    for (const b of s.blocked) out.push(`Blocked on ${n.metadata.name}: ${b.ip} ${b.reason}: ${b.message}`);
    if (s.blockedTotal > s.blocked.length)
      out.push(`Blocked on ${n.metadata.name}: ${s.blockedTotal - s.blocked.length} more not listed`);
  }
  return `${out.join('\n')}\n`;
}

/** The explanation for people: the IPs, where they came from, then one line per fact. */
export function formatExplain(e: Explanation, extra: readonly string[] = []): string {
  const out = [`Service ${e.service}: ${e.ips.length ? e.ips.join(', ') : 'no IP in status'}`];
  for (const o of e.origin) out.push(`  from ${o}`);
  for (const x of extra) out.push(x);
  out.push(...formatExplanation(e));
  return `${out.join('\n')}\n`;
}

/** Any blocked reason (or, with the cluster view, an IP in an EdgeLBNode's blocked list). */
export function explanationBlocked(e: Explanation): boolean {
  return e.facts.some((f) => f.reason?.kind === 'blocked');
}
