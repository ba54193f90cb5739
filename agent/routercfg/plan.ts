/**
 * PURE. Policies + nodes + pools + BFD profiles -> the router's side (RouterPlan). A node
 * gets a session to the router for every neighbor of a policy that selects it and whose
 * peerAddress is one of the router's addresses, as the agent on that node would open it
 * (policies in name order, the first definition of a peer wins). One rule per refusal.
 */
import { DEFAULT_AUTH_SECRET_KEY, DEFAULTS } from '../api/defaults.ts';
import type { BFDProfile, BGPPeeringPolicy, LoadBalancerIPPool } from '../api/v1alpha1.ts';
import { compileSelector } from '../ipam/selector.ts';
import { type Family, formatIP, parseCidr } from '../net/ip.ts';
import { poolPrefixes } from './prefixes.ts';
import type { RouterBfd, RouterNode, RouterPlan, Session } from './types.ts';

export interface PlanInput {
  policies: readonly BGPPeeringPolicy[];
  pools: readonly LoadBalancerIPPool[];
  bfdProfiles: readonly BFDProfile[];
  nodes: readonly RouterNode[];
  /** The router's addresses; empty = the one IPv4 and/or one IPv6 peer address the policies name. */
  router: readonly string[];
  /** Namespace of an authSecretRef that names none. */
  defaultSecretNamespace: string;
}

export type PlanResult = { ok: true; plan: RouterPlan; warnings: string[] } | { ok: false; errors: string[] };

/** "192.168.2.1/32" or "192.168.2.1" -> canonical address and family. */
function address(text: string): { address: string; family: Family } | undefined {
  const c = parseCidr(text, { allowBare: true });
  if (!c.ok || c.value.prefixLength !== (c.value.family === 4 ? 32 : 128)) return undefined;
  return { address: formatIP({ family: c.value.family, value: c.value.base }), family: c.value.family };
}

function routerBfd(p: BFDProfile): RouterBfd {
  const s = p.spec;
  const d = DEFAULTS.bfd;
  return {
    profile: p.metadata.name,
    transmitIntervalMs: s.receiveIntervalMilliseconds ?? d.receiveIntervalMilliseconds,
    receiveIntervalMs: s.transmitIntervalMilliseconds ?? d.transmitIntervalMilliseconds,
    detectMultiplier: s.detectMultiplier ?? d.detectMultiplier,
    minimumTtl: s.minimumTtl ?? d.minimumTtl,
    nodePassive: s.passiveMode ?? d.passiveMode,
  };
}

/** The router's addresses: as given, or the only IPv4 and IPv6 peer the policies name. */
function pickRouter(
  policies: readonly BGPPeeringPolicy[],
  given: readonly string[],
  errors: string[],
): { 4?: string; 6?: string } {
  const out: { 4?: string; 6?: string } = {};
  if (given.length > 0) {
    for (const g of given) {
      const a = address(g);
      if (!a) errors.push(`--router ${g}: not an IP address`);
      else if (out[a.family]) errors.push(`--router names two IPv${a.family} addresses; give one per family`);
      else out[a.family] = a.address;
    }
    return out;
  }
  const named: Record<Family, Set<string>> = { 4: new Set(), 6: new Set() };
  for (const p of policies)
    for (const vr of p.spec.virtualRouters)
      for (const n of vr.neighbors) {
        const a = address(n.peerAddress);
        if (a) named[a.family].add(a.address);
      }
  for (const f of [4, 6] as const) {
    const list = [...named[f]].sort();
    if (list.length > 1) {
      errors.push(
        `the policies name several IPv${f} routers (${list.join(', ')}): choose one with --router ADDR[,ADDR6]`,
      );
    } else if (list[0]) out[f] = list[0];
  }
  if (!out[4] && !out[6] && errors.length === 0) errors.push('no BGPPeeringPolicy names a neighbor');
  return out;
}

export function planRouter(input: PlanInput): PlanResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const policies = [...input.policies].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const router = pickRouter(policies, input.router, errors);
  if (errors.length > 0) return { ok: false, errors };
  const profiles = new Map(input.bfdProfiles.map((p) => [p.metadata.name, p]));
  const routerASNs = new Map<number, string>();
  const sessions = new Map<string, Session>();
  const used = new Set<string>();
  const nodes = [...input.nodes].sort((a, b) => a.name.localeCompare(b.name));

  for (const policy of policies) {
    const sel = compileSelector(policy.spec.nodeSelector);
    if (!sel.ok) {
      warnings.push(
        `BGPPeeringPolicy ${policy.metadata.name}: nodeSelector ${sel.error}; it selects no node`,
      );
      continue;
    }
    policy.spec.virtualRouters.forEach((vr, i) => {
      const origin = `policy ${policy.metadata.name} virtualRouters[${i}] (AS ${vr.localASN})`;
      for (const n of vr.neighbors) {
        const peer = address(n.peerAddress);
        if (!peer || router[peer.family] !== peer.address) continue; // another router's neighbor
        routerASNs.set(n.peerASN, routerASNs.get(n.peerASN) ?? origin);
        let bfd: RouterBfd | undefined;
        if (n.bfdProfile !== undefined) {
          const p = profiles.get(n.bfdProfile);
          // The nodes run this session without BFD until the profile exists, then with it: the
          // router's side would be wrong one way or the other, so it is not written.
          if (!p) {
            errors.push(
              `${origin}: neighbor ${peer.address} names BFDProfile ${n.bfdProfile}, which does not exist (the nodes run that session without BFD until it does)`,
            );
            continue;
          }
          bfd = routerBfd(p);
        }
        for (const node of nodes) {
          if (!sel.matches(node.labels)) continue;
          used.add(policy.metadata.name);
          const nodeAddress = node.addresses[peer.family];
          // A session needs the node's address in the router's family; without it the router cannot name the neighbor.
          if (!nodeAddress) {
            errors.push(
              `node ${node.name} has no IPv${peer.family} address for its session to ${peer.address} (${origin}); give one with --node ${node.name}=ADDR`,
            );
            continue;
          }
          const key = `${node.name}|${peer.family}`;
          const s: Session = {
            node: node.name,
            family: peer.family,
            nodeAddress,
            routerAddress: peer.address,
            nodeASN: vr.localASN,
            port: n.peerPort ?? DEFAULTS.peerPort,
            ...(n.eBGPMultihopTTL !== undefined ? { multihopTTL: n.eBGPMultihopTTL } : {}),
            ...(n.gtsm ? { gtsm: true } : {}),
            ...(n.authSecretRef
              ? {
                  password: {
                    namespace: n.authSecretRef.namespace ?? input.defaultSecretNamespace,
                    name: n.authSecretRef.name,
                    key: n.authSecretRef.key ?? DEFAULT_AUTH_SECRET_KEY,
                  },
                }
              : {}),
            ...(bfd ? { bfd } : {}),
            ...(n.gracefulRestart?.enabled
              ? {
                  gracefulRestartSeconds: n.gracefulRestart.restartTimeSeconds ?? DEFAULTS.restartTimeSeconds,
                }
              : {}),
            origin,
          };
          const earlier = sessions.get(key);
          // The agent keeps the first policy's peer (name order) and ignores a later, different one.
          if (earlier) {
            if (earlier.origin !== origin)
              warnings.push(
                `node ${node.name}: ${origin} also peers with ${peer.address}; ${earlier.origin} wins, as on the node`,
              );
            continue;
          }
          sessions.set(key, s);
        }
      }
    });
  }
  if (routerASNs.size > 1) {
    const list = [...routerASNs].map(([asn, where]) => `${asn} (${where})`).join(', ');
    errors.push(`the policies give the router several ASNs: ${list}`);
  }
  if (errors.length > 0) return { ok: false, errors };
  if (sessions.size === 0) {
    return { ok: false, errors: ['no node is selected by a policy that peers with this router'] };
  }
  const prefixes = poolPrefixes(input.pools);
  if (prefixes[4].length + prefixes[6].length === 0)
    warnings.push('no LoadBalancerIPPool: the router will accept no route');
  const list = [...sessions.values()].sort((a, b) => a.node.localeCompare(b.node) || a.family - b.family);
  return {
    ok: true,
    warnings,
    plan: {
      routerASN: [...routerASNs.keys()][0]!,
      routerAddresses: router,
      sessions: list,
      prefixes,
      pools: [...input.pools].map((p) => p.metadata.name).sort(),
      policies: policies.map((p) => p.metadata.name).filter((n) => used.has(n)),
    },
  };
}
