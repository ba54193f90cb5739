/** PURE. The BGP peers a node dials: every neighbor of every policy whose nodeSelector selects it. */
import type { BGPPeeringPolicy } from '../api/peering-policy.ts';
import { matchesSelector } from '../ipam/selector.ts';

export const BGP_PORT = 179;

export interface PeerTarget {
  policy: string;
  address: string;
  port: number;
}

export function peersOf(policies: BGPPeeringPolicy[], nodeLabels: Record<string, string>): PeerTarget[] {
  const seen = new Set<string>();
  const out: PeerTarget[] = [];
  for (const p of policies) {
    if (!matchesSelector(p.spec.nodeSelector, nodeLabels)) continue;
    for (const vr of p.spec.virtualRouters)
      for (const n of vr.neighbors) {
        const port = n.peerPort ?? BGP_PORT;
        const key = `${n.peerAddress}|${port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ policy: p.metadata.name, address: n.peerAddress, port });
      }
  }
  return out;
}

/** "192.168.2.1:179", "[fd00::1]:179". */
export const hostPort = (t: PeerTarget) =>
  t.address.includes(':') ? `[${t.address}]:${t.port}` : `${t.address}:${t.port}`;
