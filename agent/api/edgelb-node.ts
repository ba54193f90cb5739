/**
 * PURE. EdgeLBNode: one per Node, named after it, written by the agent on that node (status
 * only; the spec is empty). What the node announces and why not, readable cluster-wide:
 * `kubectl get edgelbnodes`, `edgelb status --cluster`, `edgelb explain --cluster`.
 */
import { int, required, string } from './schema/field.ts';
import { list, object } from './schema/object.ts';
import { resource } from './schema/resource.ts';
import type { API_VERSION, ObjectMeta } from './v1alpha1.ts';

/** Counts cannot exceed this (a Service count, a prefix count): a bound for the schema. */
const MAX_COUNT = 1_000_000_000;

export interface EdgeLBNodePeer {
  /** "address" or "address:port" (the speaker's peer id). */
  peer: string;
  peerASN: number;
  localASN: number;
  /** RFC 4271 state: Idle, Connect, Active, OpenSent, OpenConfirm, Established. */
  state: string;
  /** When the session entered this state, as far as this node saw it (RFC 3339). */
  since: string;
  /** Why it is not Established, in words ("" when Established). */
  lastError: string;
  /** BFD state guarding the session (Up, Down, Init, AdminDown); "" without BFD. */
  bfdState: string;
  /** Prefixes in the peer's Adj-RIB-Out. */
  advertised: number;
}

export interface EdgeLBNodeBlocked {
  ip: string;
  /** An announcement reason code (reconcile/plan/announce-reasons.ts): PeersDown, NoNextHop... */
  reason: string;
  message: string;
}

export interface EdgeLBNodeStatus {
  peers: EdgeLBNodePeer[];
  peersUp: number;
  /** Distinct prefixes announced to at least one Established peer. */
  announced: number;
  /** IPs this node answers ARP/NDP for (L2 mode), the first 100. */
  l2Owned: string[];
  l2OwnedTotal: number;
  /** IPs a policy sends from this node that no peer carries, the first 100, with their reasons. */
  blocked: EdgeLBNodeBlocked[];
  blockedTotal: number;
  /** active, or why the node announces nothing: drained, shutting-down, excluded, cordoned. */
  state?: string;
}

export interface EdgeLBNode {
  apiVersion: typeof API_VERSION;
  kind: 'EdgeLBNode';
  metadata: ObjectMeta;
  spec: Record<string, never>;
  status?: EdgeLBNodeStatus;
}

const count = (description: string) => int(description, 0, MAX_COUNT);

const peer = object<EdgeLBNodePeer>('One BGP session of this node.', {
  peer: required(string('The peer: its address, with ":port" when not 179.')),
  peerASN: required(int('The peer AS number.', 0, 4294967295)),
  localASN: required(int('This node AS number towards the peer.', 0, 4294967295)),
  state: required(
    string('RFC 4271 session state: Idle, Connect, Active, OpenSent, OpenConfirm or Established.'),
  ),
  since: required(string('When the session entered this state, as this node saw it (RFC 3339).')),
  lastError: required(string('Why the session is not Established, in words; empty when Established.')),
  bfdState: required(
    string('BFD state guarding the session (Up, Down, Init, AdminDown); empty without BFD.'),
  ),
  advertised: required(count('Prefixes in the Adj-RIB-Out of the peer.')),
});

const blocked = object<EdgeLBNodeBlocked>('An IP this node should announce and cannot.', {
  ip: required(string('The IP address.')),
  reason: required(string('The reason code: PeersDown, NoNextHop, FamilyNotNegotiated...')),
  message: required(string('The reason in words.')),
});

export const edgelbNodeResource = resource<EdgeLBNode>({
  kind: 'EdgeLBNode',
  description:
    'What edgelb on one Node announces and why not: its BGP peers, counts, L2 owned IPs and blocked IPs. Named after the Node; written by the agent on it.',
  spec: object<EdgeLBNode['spec']>('Empty: everything is in status.', {}, { defaultEmpty: true }),
  status: object<EdgeLBNodeStatus>('What the agent on this node last observed.', {
    peers: required(list('BGP sessions of this node.', peer)),
    peersUp: required(count('Sessions Established.')),
    announced: required(count('Distinct prefixes announced to at least one Established peer.')),
    l2Owned: required(
      list('IPs this node answers ARP/NDP for (L2 mode), the first 100.', string('An IP address.')),
    ),
    l2OwnedTotal: required(count('IPs this node answers ARP/NDP for.')),
    blocked: required(
      list('IPs a policy sends from this node that no peer carries, the first 100.', blocked),
    ),
    blockedTotal: required(count('IPs a policy sends from this node that no peer carries.')),
    state: string(
      'active, or why this node announces nothing (edgelb drain, a shutdown, the exclusion label, cordon): drained, shutting-down, excluded or cordoned.',
    ),
  }),
});
