/**
 * PURE. The router side of edgelb's policies as one small model: who the router is, one
 * session per (node, address family of the router's address), the pools' host routes, and
 * the BFD timers the router should run. Every target renders this model; nothing in it is
 * a Kubernetes type, and no secret is ever in it (only where the password lives).
 */
import type { Family } from '../net/ip.ts';

/** A node as the router sees it: its name, labels (for nodeSelector) and session addresses. */
export interface RouterNode {
  name: string;
  labels: Readonly<Record<string, string>>;
  /** The address the node's sessions come from, per family (InternalIP by default). */
  addresses: { 4?: string; 6?: string };
}

/** Where a session's TCP-MD5 password lives; the router config gets a placeholder for it. */
export interface PasswordRef {
  namespace: string;
  name: string;
  key: string;
}

/** The router's BFD timers for a session: the node's BFDProfile seen from the other end. */
export interface RouterBfd {
  /** The BFDProfile's name (also the FRR profile name). */
  profile: string;
  /** How often the router sends: the node's receive interval (never faster than it accepts). */
  transmitIntervalMs: number;
  /** What the router accepts: the node's transmit interval. */
  receiveIntervalMs: number;
  detectMultiplier: number;
  /** Multihop sessions only: the lowest TTL the router accepts (the node's minimumTtl). */
  minimumTtl: number;
  /** The node waits for the router to start (then the router must not be passive too). */
  nodePassive: boolean;
}

export interface Session {
  node: string;
  family: Family;
  /** The node's address: the router's neighbor. */
  nodeAddress: string;
  /** The router's address this session reaches (the policy's peerAddress). */
  routerAddress: string;
  /** The node's AS (the virtual router's localASN): the router's remote-as. */
  nodeASN: number;
  /** TCP port the node dials: the router must listen there. */
  port: number;
  /** eBGP multihop TTL (absent = directly connected). */
  multihopTTL?: number;
  /** The node runs GTSM (RFC 5082): the router must send TTL 255 and accept only 254 and up. */
  gtsm?: boolean;
  password?: PasswordRef;
  bfd?: RouterBfd;
  /** The node advertises Graceful Restart with this restart time. */
  gracefulRestartSeconds?: number;
  /** "policy blog / virtual router 0 (AS 65001)" for comments. */
  origin: string;
}

/** The pools' blocks as CIDRs per family (start/stop ranges split into the fewest CIDRs). */
export interface PoolPrefixes {
  4: string[];
  6: string[];
}

export interface RouterPlan {
  routerASN: number;
  /** The router's own addresses (the policies' peerAddress), per family. */
  routerAddresses: { 4?: string; 6?: string };
  sessions: Session[];
  prefixes: PoolPrefixes;
  /** Pool names, for the header. */
  pools: string[];
  /** Policy names that select at least one node, for the header. */
  policies: string[];
}

export const TARGETS = ['frr', 'bird', 'opnsense', 'routeros'] as const;
export type Target = (typeof TARGETS)[number];

/** A rendered configuration, or why the target cannot express the policies. */
export type Rendered = { ok: true; text: string; warnings: string[] } | { ok: false; errors: string[] };
