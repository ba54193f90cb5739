/**
 * PURE. What L2 mode must place: for every Service IP that some L2AnnouncementPolicy selects,
 * the nodes that may answer for it (the ownership candidates every node computes alike), and
 * for THIS node the interfaces it answers on. One rule per line, each with its reason:
 *
 * - a policy selects an IP when its serviceSelector matches the Service (absent = every Service;
 *   the namespace/name pseudo-labels match too, as in pools) and its `pools` names the pool the
 *   IP belongs to (absent = every pool, and an IP in no pool);
 * - a node is eligible for an IP when a selecting policy's nodeSelector matches the node's labels
 *   (absent = every node), the node is not labelled
 *   node.kubernetes.io/exclude-from-external-load-balancers (as kube-proxy and MetalLB honour
 *   it) nor cordoned (unless kubernetes.withdrawWhenCordoned is false; node-state.ts), and, for externalTrafficPolicy: Local, it holds a ready endpoint of the Service (when no
 *   node has one, serving-but-terminating endpoints count, as kube-proxy does);
 * - the IPs of one Service form one group (namespace/name): dual-stack IPs move together;
 * - this node's interfaces for an IP: the patterns of the selecting policies that match this node;
 *   a policy without `interfaces` adds the on-link subnet choice.
 */
import type { EndpointSliceObject, ServiceObject } from '../../api/core.ts';
import type { L2AnnouncementPolicy, LoadBalancerIPPool } from '../../api/v1alpha1.ts';
import { compilePool, poolOrder } from '../../ipam/pools.ts';
import { compileSelector, type Matcher, matchesAll, serviceLabels } from '../../ipam/selector.ts';
import { canonicalIP, type IPRange, inRange, parseIP } from '../../net/ip.ts';
import { healthGate, slicesByService } from './health-gate.ts';
import { nodeMayAnnounce } from './node-state.ts';
import { poolSpec, statusIPs } from './to-domain.ts';

/** A node labelled so is never eligible (the upstream convention for load-balancer exclusion). */
export { EXCLUDE_LB_LABEL } from './node-state.ts';

export interface L2NodeView {
  name: string;
  labels: Readonly<Record<string, string>>;
  /** The Node is cordoned (spec.unschedulable). */
  unschedulable?: boolean;
}

export interface L2PlanInput {
  nodeName: string;
  /** Every node with its labels (files mode: this node only). */
  nodes: readonly L2NodeView[];
  /** Valid policies only. */
  policies: readonly L2AnnouncementPolicy[];
  pools: readonly LoadBalancerIPPool[];
  services: readonly ServiceObject[];
  endpointSlices: readonly EndpointSliceObject[];
  /** kubernetes.withdrawWhenCordoned: a cordoned node is not eligible (default true). */
  withdrawWhenCordoned?: boolean;
}

export interface L2Candidate {
  ip: string;
  /** Sorted. Empty: nobody may answer (no policy node, no ready endpoint). */
  eligibleNodes: string[];
  /** "namespace/name" of the Service. */
  group: string;
}

/** Where this node answers one IP, if it comes to own it. */
export interface L2InterfaceRule {
  /** Regular expressions (as written) from the selecting policies that match this node. */
  patterns: string[];
  /** Some selecting policy has no `interfaces`: the on-link subnet's interface too. */
  onLink: boolean;
  /** The policies that select the IP for this node (for messages). */
  policies: string[];
}

export interface L2Plan {
  /** Sorted by IP text; one per selected IP. */
  candidates: L2Candidate[];
  /** For this node: IP -> interface rule, for every candidate this node is eligible for. */
  interfaces: Map<string, L2InterfaceRule>;
}

interface CompiledPolicy {
  name: string;
  service: Matcher;
  node: Matcher;
  pools: ReadonlySet<string> | undefined;
  interfaces: string[] | undefined;
}

/** An invalid selector matches nothing (validation reports it). */
function matcher(sel: L2AnnouncementPolicy['spec']['nodeSelector']): Matcher {
  const c = compileSelector(sel);
  return c.ok ? c.matches : () => false;
}

function compilePolicy(p: L2AnnouncementPolicy): CompiledPolicy {
  return {
    name: p.metadata.name,
    service: matcher(p.spec.serviceSelector),
    node: matcher(p.spec.nodeSelector),
    pools: p.spec.pools ? new Set(p.spec.pools) : undefined,
    interfaces: p.spec.interfaces && p.spec.interfaces.length > 0 ? [...p.spec.interfaces] : undefined,
  };
}

/** The pool an IP belongs to: the oldest pool whose blocks contain it ("" for none). */
function poolIndex(pools: readonly LoadBalancerIPPool[]): (ip: string) => string {
  const compiled = pools
    .map(poolSpec)
    .sort(poolOrder)
    .map((s) => ({ name: s.name, ranges: compilePool(s).blockRanges as IPRange[] }));
  return (ip) => {
    const p = parseIP(ip);
    if (!p.ok) return '';
    return compiled.find((c) => c.ranges.some((r) => inRange(p.value, r)))?.name ?? '';
  };
}

/**
 * externalTrafficPolicy: Local: the nodes with a ready endpoint of the Service, or, when no node
 * has one, those with a serving-but-terminating one (kube-proxy's fallback). An endpoint with no
 * ready condition counts as ready (the API's meaning of an absent condition).
 */
export function endpointNodes(slices: readonly EndpointSliceObject[]): Set<string> {
  const ready = new Set<string>();
  const terminating = new Set<string>();
  for (const s of slices)
    for (const e of s.endpoints ?? []) {
      if (!e.nodeName) continue;
      const c = e.conditions;
      if (c?.ready !== false) ready.add(e.nodeName);
      else if (c.terminating === true && (c.serving ?? false)) terminating.add(e.nodeName);
    }
  return ready.size > 0 ? ready : terminating;
}

export function planL2(input: L2PlanInput): L2Plan {
  const plan: L2Plan = { candidates: [], interfaces: new Map() };
  if (input.policies.length === 0) return plan;
  const policies = [...input.policies]
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map(compilePolicy);
  // Excluded nodes never count, whatever the policy says; nor cordoned ones (unless switched off).
  const withdrawWhenCordoned = input.withdrawWhenCordoned ?? true;
  const nodes = input.nodes.filter((n) =>
    nodeMayAnnounce(
      {
        metadata: { name: n.name, labels: { ...n.labels } },
        spec: { unschedulable: n.unschedulable === true },
      },
      withdrawWhenCordoned,
    ),
  );
  const nodesOf = new Map(policies.map((p) => [p.name, nodes.filter((n) => p.node({ ...n.labels }))]));
  const poolOf = poolIndex(input.pools);
  let slices: Map<string, EndpointSliceObject[]> | undefined;
  const byIP = new Map<string, L2Candidate>();
  const healthy = healthGate(input.endpointSlices);
  // Thousands of IPs share a handful of rules and node lists: one (read-only) copy of each.
  const rules = new Map<string, L2InterfaceRule>();
  const nodeLists = new Map<string, string[]>();

  for (const svc of input.services) {
    const ips = statusIPs(svc);
    if (ips.length === 0) continue;
    if (!healthy(svc)) continue; // edgelb.io/announce-only-with-endpoints and nothing ready: no owner anywhere
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const labels = serviceLabels(svc.metadata.namespace, svc.metadata.name, svc.metadata.labels ?? {});
    let local: Set<string> | undefined;
    if (svc.spec.externalTrafficPolicy === 'Local') {
      slices ??= slicesByService(input.endpointSlices);
      local = endpointNodes(slices.get(key) ?? []);
    }
    for (const raw of ips) {
      const ip = canonicalIP(raw);
      if (ip === undefined || byIP.has(ip)) continue; // junk, or an IP shared by Services: first wins
      const pool = poolOf(ip);
      const eligible = new Set<string>();
      let selected = false;
      let rule: L2InterfaceRule | undefined;
      for (const p of policies) {
        if (p.service !== matchesAll && !p.service(labels)) continue;
        if (p.pools && !p.pools.has(pool)) continue;
        selected = true;
        const policyNodes = nodesOf.get(p.name) ?? [];
        for (const n of policyNodes) if (!local || local.has(n.name)) eligible.add(n.name);
        if (!policyNodes.some((n) => n.name === input.nodeName)) continue;
        rule ??= { patterns: [], onLink: false, policies: [] };
        rule.policies.push(p.name);
        if (!p.interfaces) {
          rule.onLink = true;
          continue;
        }
        for (const x of p.interfaces) if (!rule.patterns.includes(x)) rule.patterns.push(x);
      }
      if (!selected) continue;
      const sorted = [...eligible].sort();
      const listKey = sorted.join('\n');
      let eligibleNodes = nodeLists.get(listKey);
      if (!eligibleNodes) {
        eligibleNodes = sorted;
        nodeLists.set(listKey, sorted);
      }
      byIP.set(ip, { ip, eligibleNodes, group: key });
      if (rule && eligible.has(input.nodeName)) {
        const ruleKey = `${rule.onLink}\n${rule.policies.join('\n')}\n\n${rule.patterns.join('\n')}`;
        const shared = rules.get(ruleKey);
        if (shared) rule = shared;
        else rules.set(ruleKey, rule);
        plan.interfaces.set(ip, rule);
      }
    }
  }
  plan.candidates = [...byIP.values()].sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
  return plan;
}

/** The IPs a node owns in files mode: every candidate it is eligible for (no other node exists). */
export function ownedStatically(plan: L2Plan, nodeName: string): Set<string> {
  return new Set(plan.candidates.filter((c) => c.eligibleNodes.includes(nodeName)).map((c) => c.ip));
}
