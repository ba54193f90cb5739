/**
 * PURE. Whether this node announces at all: the node-level reasons to withhold every
 * announcement (BGP and L2), one rule per reason, each with its why. Sessions stay up; only the
 * routes (and L2 ownership) go. These reason codes are the intended reasons `/status`,
 * `edgelb status` and `edgelb explain` give for "not announced from this node".
 *
 * - NodeDrained: `edgelb drain` on the node (kept in the state directory until `undrain`), for a
 *   planned reboot without touching the cluster;
 * - NodeShuttingDown: the machine is shutting down or rebooting (systemd's system state
 *   "stopping"), so routers move away before the network goes down;
 * - NodeExcluded: the node is labelled node.kubernetes.io/exclude-from-external-load-balancers
 *   (the upstream convention kube-proxy, cloud controllers and MetalLB honour);
 * - NodeCordoned: the Node is cordoned (spec.unschedulable), unless
 *   kubernetes.withdrawWhenCordoned is false (MetalLB withdraws from cordoned nodes too).
 */
import type { NodeObject } from '../../api/core.ts';

/** A node labelled so announces nothing (the upstream convention for load-balancer exclusion). */
export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

export const NODE_REASONS = {
  drained: 'NodeDrained',
  shuttingDown: 'NodeShuttingDown',
  excluded: 'NodeExcluded',
  cordoned: 'NodeCordoned',
} as const;

export type NodeReason = (typeof NODE_REASONS)[keyof typeof NODE_REASONS];

/** The short state word /status and `edgelb status` show for each reason. */
export const NODE_STATE_WORDS: Record<NodeReason, string> = {
  NodeDrained: 'drained',
  NodeShuttingDown: 'shutting-down',
  NodeExcluded: 'excluded',
  NodeCordoned: 'cordoned',
};

export interface NodeWithhold {
  reason: NodeReason;
  message: string;
}

export interface NodeStateInput {
  /** This node's Node object (files mode: built from files.nodeLabels). */
  node: Pick<NodeObject, 'metadata' | 'spec'> | undefined;
  /** `edgelb drain` is in effect. */
  drained: boolean;
  /** The machine is shutting down (the agent's stop path). */
  shuttingDown: boolean;
  /** kubernetes.withdrawWhenCordoned. */
  withdrawWhenCordoned: boolean;
}

/** Every reason that applies, the strongest first (empty: the node announces). */
export function nodeWithholds(i: NodeStateInput): NodeWithhold[] {
  const out: NodeWithhold[] = [];
  if (i.shuttingDown)
    out.push({
      reason: NODE_REASONS.shuttingDown,
      message: 'the machine is shutting down: every announcement is withdrawn before the network goes down',
    });
  if (i.drained)
    out.push({
      reason: NODE_REASONS.drained,
      message: 'drained with `edgelb drain`: nothing is announced from this node until `edgelb undrain`',
    });
  if (i.node && Object.hasOwn(i.node.metadata.labels ?? {}, EXCLUDE_LB_LABEL))
    out.push({
      reason: NODE_REASONS.excluded,
      message: `the node is labelled ${EXCLUDE_LB_LABEL}: nothing is announced from it`,
    });
  if (i.node?.spec?.unschedulable === true && i.withdrawWhenCordoned)
    out.push({
      reason: NODE_REASONS.cordoned,
      message:
        'the node is cordoned (spec.unschedulable): nothing is announced from it (kubernetes.withdrawWhenCordoned)',
    });
  return out;
}

/** A node is eligible for L2 ownership unless excluded, or cordoned while cordoned nodes withdraw. */
export function nodeMayAnnounce(
  node: Pick<NodeObject, 'metadata' | 'spec'>,
  withdrawWhenCordoned: boolean,
): boolean {
  return nodeWithholds({ node, drained: false, shuttingDown: false, withdrawWhenCordoned }).length === 0;
}
