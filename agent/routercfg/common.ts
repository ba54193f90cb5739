/**
 * PURE. What every target shares: the password placeholder (never the secret itself), the
 * header naming where the configuration came from, and small queries over the plan.
 */
import type { Family } from '../net/ip.ts';
import type { PasswordRef, RouterBfd, RouterPlan, Session } from './types.ts';

/**
 * The text written where the TCP-MD5 password goes: one token, no spaces or quotes, so it
 * survives every target's syntax and cannot be mistaken for a real password.
 * Replace it with: kubectl get secret -n NS NAME -o jsonpath='{.data.KEY}' | base64 -d
 */
export function passwordPlaceholder(p: PasswordRef): string {
  return `SECRET(${p.namespace}/${p.name}:${p.key})`;
}

/** Matches every placeholder (tests and scripts substitute the real password). */
export const PLACEHOLDER_PATTERN = /SECRET\(([a-z0-9.-]+)\/([a-z0-9.-]+):([A-Za-z0-9._-]+)\)/g;

/** Header lines (without comment markers). */
export function headerLines(plan: RouterPlan, target: string): string[] {
  const nodes = [...new Set(plan.sessions.map((s) => s.node))];
  const lines = [
    `edgelb router-config --for ${target}: the router side of the current policies.`,
    `router AS ${plan.routerASN}, ${[plan.routerAddresses[4], plan.routerAddresses[6]].filter(Boolean).join(' and ')}`,
    `policies: ${plan.policies.join(', ') || '(none)'}; pools: ${plan.pools.join(', ') || '(none)'}`,
    `nodes: ${nodes.join(', ')}`,
  ];
  if (plan.sessions.some((s) => s.password)) {
    lines.push(
      'SECRET(ns/name:key) stands for a password: kubectl get secret -n ns name -o jsonpath="{.data.key}" | base64 -d',
    );
  }
  return lines;
}

/** The families the router must accept routes in: those with pool blocks. */
export function families(plan: RouterPlan): Family[] {
  return ([4, 6] as const).filter((f) => plan.prefixes[f].length > 0);
}

/** Distinct BFD settings in use, by profile name. */
export function bfdProfiles(plan: RouterPlan): RouterBfd[] {
  const byName = new Map<string, RouterBfd>();
  for (const s of plan.sessions) if (s.bfd && !byName.has(s.bfd.profile)) byName.set(s.bfd.profile, s.bfd);
  return [...byName.values()].sort((a, b) => a.profile.localeCompare(b.profile));
}

/** ECMP width: at least 8, or one path per node. */
export function maxPaths(plan: RouterPlan): number {
  return Math.max(8, new Set(plan.sessions.map((s) => s.node)).size);
}

/** The longest restart time a node advertises (0: none asks for Graceful Restart). */
export function gracefulRestartSeconds(plan: RouterPlan): number {
  return Math.max(0, ...plan.sessions.map((s) => s.gracefulRestartSeconds ?? 0));
}

export const isIBGP = (plan: RouterPlan, s: Session): boolean => s.nodeASN === plan.routerASN;

/** "worker-1.lab" -> "worker_1_lab": a symbol for BIRD (letters, digits, underscores). */
export function symbol(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z]/.test(s) ? s : `n${s}`;
}

/** Unique names per session: the node's, with "-v6" (or "_v6") for its IPv6 session when it has both. */
export function sessionNames(
  plan: RouterPlan,
  sep: '-' | '_',
  map: (n: string) => string,
): Map<Session, string> {
  const perNode = new Map<string, number>();
  for (const s of plan.sessions) perNode.set(s.node, (perNode.get(s.node) ?? 0) + 1);
  const out = new Map<Session, string>();
  const taken = new Set<string>();
  for (const s of plan.sessions) {
    let n = map(s.node) + ((perNode.get(s.node) ?? 0) > 1 ? `${sep}v${s.family}` : '');
    for (let i = 2; taken.has(n); i++) n = `${map(s.node)}${sep}${i}`;
    taken.add(n);
    out.set(s, n);
  }
  return out;
}
