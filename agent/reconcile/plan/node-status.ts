/**
 * PURE. The status of this node's EdgeLBNode from what /status shows: peers with the time
 * they entered their state (kept across calls: the speaker reports uptime, not a start), the
 * counts, the first L2 owned and blocked IPs. Equal inputs give equal output, so the writer
 * can compare the JSON and write only on change.
 */
import type { EdgeLBNodePeer, EdgeLBNodeStatus } from '../../api/edgelb-node.ts';
import type { BlockedIP } from './announce-reasons.ts';
import { NODE_STATE_WORDS, type NodeWithhold } from './node-state.ts';

/** Lists in the object are capped; the totals say how many there are. */
export const NODE_LIST_CAP = 100;

export interface NodePeerInput {
  id: string;
  peerASN: number;
  localASN: number;
  state: string;
  uptimeSeconds: number;
  advertised: number;
  lastError?: { message: string; at: string };
  bfd?: { state: string };
}

export interface NodeStatusInput {
  peers: readonly NodePeerInput[];
  /** Prefixes announced to at least one Established peer. */
  advertised: readonly string[];
  l2Owned: readonly string[];
  blocked: readonly BlockedIP[];
  /** Node-level reasons to announce nothing (plan/node-state.ts), strongest first. */
  withheld?: readonly NodeWithhold[];
  now: number;
}

/** peer id -> the state last seen and when it was entered (ISO). */
export type SinceMemory = Map<string, { state: string; since: string }>;

function sinceOf(p: NodePeerInput, memory: SinceMemory, now: number): string {
  const prev = memory.get(p.id);
  if (prev && prev.state === p.state) return prev.since;
  const at =
    p.state === 'Established' ? now - p.uptimeSeconds * 1000 : p.lastError ? Date.parse(p.lastError.at) : now;
  const since = new Date(Math.floor(at / 1000) * 1000).toISOString();
  memory.set(p.id, { state: p.state, since });
  return since;
}

export function nodeStatus(input: NodeStatusInput, memory: SinceMemory): EdgeLBNodeStatus {
  const ids = new Set(input.peers.map((p) => p.id));
  for (const id of memory.keys()) if (!ids.has(id)) memory.delete(id);
  const peers: EdgeLBNodePeer[] = [...input.peers]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((p) => ({
      peer: p.id,
      peerASN: p.peerASN,
      localASN: p.localASN,
      state: p.state,
      since: sinceOf(p, memory, input.now),
      lastError: p.state === 'Established' ? '' : (p.lastError?.message ?? ''),
      bfdState: p.bfd?.state ?? '',
      advertised: p.advertised,
    }));
  const owned = [...input.l2Owned].sort();
  return {
    peers,
    peersUp: peers.filter((p) => p.state === 'Established').length,
    announced: input.advertised.length,
    l2Owned: owned.slice(0, NODE_LIST_CAP),
    l2OwnedTotal: owned.length,
    blocked: input.blocked
      .slice(0, NODE_LIST_CAP)
      .map((b) => ({ ip: b.ip, reason: b.reason.code, message: b.reason.message })),
    blockedTotal: input.blocked.length,
    state: input.withheld?.length ? NODE_STATE_WORDS[input.withheld[0]!.reason] : 'active',
  };
}
