/**
 * SHELL. One interface as the responder holds it: the LinkPort contract (link-port.ts in
 * production, a fake in tests), the owned IPs answered on it, and its IPv6 solicited-node
 * groups, refcounted: joined for the first owned IP in a group, left with the last.
 */
import { formatIP, type IP } from '../net/ip.ts';
import { solicitedNodeGroup } from './wire/ipv6.ts';
import type { Mac } from './wire/mac.ts';

/** One interface's sockets (link-port.ts in production, a fake in tests). */
export interface LinkPort {
  readonly name: string;
  readonly mac: Mac;
  /** Frames queued since the last call, at most max; never blocks. */
  drain(max: number): Uint8Array[];
  /** Sends one frame; false if it could not be queued. */
  send(frame: Uint8Array): boolean;
  /** Joins / leaves an IPv6 multicast group on this interface (called once per group: refcounted here). */
  join(group: IP): void;
  leave(group: IP): void;
  close(): void;
}

export type OpenLink = (name: string) => { ok: true; port: LinkPort } | { ok: false; reason: string };

export interface Link {
  port: LinkPort;
  ips: Set<string>;
  /** Solicited-node group (canonical text) → number of owned IPs in it. */
  groups: Map<string, number>;
}

/**
 * Counts an IPv6 `ip` in its solicited-node group, joining the group for its first IP; a failed
 * join goes to onJoinError and still counts (the matching leave is then a no-op). IPv4: nothing.
 */
export function joinGroupFor(link: Link, ip: IP, onJoinError: (err: unknown) => void): void {
  if (ip.family !== 6) return;
  const group = formatIP(solicitedNodeGroup(ip));
  const n = link.groups.get(group) ?? 0;
  if (n === 0) {
    try {
      link.port.join(solicitedNodeGroup(ip));
    } catch (err) {
      onJoinError(err);
    }
  }
  link.groups.set(group, n + 1);
}

/** Uncounts an IPv6 `ip` from its solicited-node group, leaving the group with its last IP. */
export function leaveGroupFor(link: Link, ip: IP): void {
  if (ip.family !== 6) return;
  const group = formatIP(solicitedNodeGroup(ip));
  const n = (link.groups.get(group) ?? 1) - 1;
  if (n <= 0) {
    link.groups.delete(group);
    try {
      link.port.leave(solicitedNodeGroup(ip));
    } catch {}
  } else link.groups.set(group, n);
}
