// biome-ignore-all lint/suspicious/noExplicitAny: Kubernetes objects are arbitrary JSON documents here
/**
 * The invariants, checked while the schedule runs (the API server's request hook for writes,
 * and a poll of the store every ~200 ms). Definitions, precisely:
 *
 * 1. One writer. Every successful (2xx) PUT/PATCH of a Service's /status must come from the agent
 *    process whose identity is the Lease's holderIdentity at the instant the server completes
 *    it. A process is known by its node (its network namespace's source address) and the
 *    generation of that node's agent (the harness counts restarts); an identity belongs to the
 *    process that first wrote it into the Lease. And when the writer changes from A to B while A
 *    was not stopped by the harness, B's first write comes at least leaseDuration −
 *    renewDeadline after A's last (A stops writing renewDeadline after its last renewal, B may
 *    take over only leaseDuration after it): writes of two agents never interleave.
 * 2. No incompatible sharing. Two Services holding one IP must share a sharing key and a
 *    namespace, have disjoint ports and the same externalTrafficPolicy. A pair that appears
 *    because an IP was written while neither Service's spec changed in the last STALE_MS is a
 *    violation at once; a pair the harness itself created (by editing a spec while both held
 *    the IP) must be resolved within CONFLICT_GRACE_MS; none may remain at the end.
 * 3. No gratuitous moves. A Service (by uid) whose status IPs change from a non-empty set must
 *    have a cause younger than CAUSE_TTL_MS: the harness edited what decides its IP (requested
 *    IP, sharing key, ETP or labels of a sharing/selected Service, a pool shrink that excludes
 *    its IP), or a poll saw its IP invalid under its current spec and pools.
 * 4. Other classes untouched: a Service of another loadBalancerClass never gets a status.
 */
import type { TestApiServer } from '../support/apiserver/index.ts';
import type { RequestRecord } from '../support/apiserver/server.ts';
import { compatible, invalidWhy, type Node, NS, owned, type PoolState, type SvcSpec } from './model.ts';

export const CAUSE_TTL_MS = 20_000;
export const STALE_MS = 3_000;
export const CONFLICT_GRACE_MS = 25_000;
const SERVICE_STATUS = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/?]+)\/status/;
const LEASE = /\/namespaces\/kube-system\/leases(\/edgelb)?(\?|$)/;

export interface MonitorDeps {
  api: TestApiServer;
  nodeByAddress: Map<string, Node>;
  lease: { durationMs: number; renewMs: number };
  /** the harness's specs, by "ns/name" */
  specs: Map<string, SvcSpec>;
  pool: () => PoolState;
  /** generation of each node's running agent */
  generation: (n: Node) => number;
  /** when the harness stopped (SIGTERM/SIGKILL) this process, if it did */
  stoppedAt: (proc: string) => number | undefined;
  now: () => number;
}

export class Monitor {
  readonly violations: string[] = [];
  statusWrites = 0;
  leaderChanges = 0;
  ipChanges = 0;
  private identityOwner = new Map<string, string>();
  private lastHolder = '';
  private lastWriter: { proc: string; at: number } | undefined;
  private causes = new Map<string, number>();
  private mutated = new Map<string, number>();
  private seen = new Map<string, { key: string; ips: string[] }>();
  private conflicts = new Map<string, { since: number; reported: boolean }>();

  constructor(private readonly d: MonitorDeps) {}

  violation(msg: string): void {
    const line = `[+${new Date(this.d.now()).toISOString().slice(11, 23)}] ${msg}`;
    this.violations.push(line);
    console.error(`VIOLATION ${line}`);
  }

  /** The harness changed something that decides this Service's IP. */
  cause(uid: string | undefined): void {
    if (!uid) return;
    this.causes.set(uid, this.d.now() + CAUSE_TTL_MS);
    this.mutated.set(uid, this.d.now());
  }

  private holder(): string {
    return (
      this.d.api.get('coordination.k8s.io/v1', 'Lease', 'kube-system', 'edgelb')?.spec?.holderIdentity ?? ''
    );
  }

  private procOf(r: RequestRecord): { node: Node; proc: string } | undefined {
    const addr = (r.remoteAddress ?? '').replace(/^::ffff:/, '');
    const node = this.d.nodeByAddress.get(addr);
    return node ? { node, proc: `${node}#${this.d.generation(node)}` } : undefined;
  }

  onRequest = (r: RequestRecord): void => {
    if (r.status < 200 || r.status >= 300) return;
    if (r.method === 'GET' || r.method === 'LIST' || r.method === 'WATCH') return;
    const who = this.procOf(r);
    if (LEASE.test(r.path) && who) {
      const h = this.holder();
      if (h && !this.identityOwner.has(h)) {
        if (!h.startsWith(`${who.node}_`))
          this.violation(`Lease identity ${h} first written by ${who.proc}, another node`);
        this.identityOwner.set(h, who.proc);
      }
      if (h && h !== this.lastHolder) {
        if (this.lastHolder) this.leaderChanges++;
        this.lastHolder = h;
      }
      return;
    }
    const m = SERVICE_STATUS.exec(r.path);
    if (!m || (r.method !== 'PUT' && r.method !== 'PATCH')) return;
    this.statusWrites++;
    const at = r.at ?? this.d.now();
    const target = `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`;
    if (!who) {
      this.violation(`status of ${target} written from unknown address ${r.remoteAddress}`);
      return;
    }
    const h = this.holder();
    const owner = this.identityOwner.get(h);
    if (owner !== who.proc)
      this.violation(
        `status of ${target} written by ${who.proc} while the Lease holder is ${h || '(none)'} (${owner ?? 'unknown process'})`,
      );
    const last = this.lastWriter;
    if (last && last.proc !== who.proc) {
      const stopped = this.d.stoppedAt(last.proc);
      const minGap = this.d.lease.durationMs - this.d.lease.renewMs - 250;
      if ((stopped === undefined || stopped > at) && at - last.at < minGap)
        this.violation(
          `status writers interleave: ${who.proc} wrote ${target} ${at - last.at} ms after ${last.proc}'s last write (< ${minGap} ms)`,
        );
    }
    this.lastWriter = { proc: who.proc, at };
  };

  /** Status IPs of the live object for a spec (and its uid), or undefined if it does not exist. */
  live(s: SvcSpec): { uid: string; ips: string[]; obj: any } | undefined {
    const obj = this.d.api.get('v1', 'Service', s.ns, s.name);
    if (!obj) return undefined;
    return {
      uid: obj.metadata.uid,
      obj,
      ips: (obj.status?.loadBalancer?.ingress ?? []).map((i: { ip: string }) => i.ip),
    };
  }

  /** One poll of the store. */
  poll(): void {
    const now = this.d.now();
    const pool = this.d.pool();
    const byIp = new Map<string, SvcSpec[]>();
    const state = new Map<SvcSpec, { uid: string; ips: string[]; changed: boolean }>();
    const liveUids = new Set<string>();
    for (const ns of NS)
      for (const obj of this.d.api.list('v1', 'Service', ns)) {
        const key = `${ns}/${obj.metadata.name}`;
        const s = this.d.specs.get(key);
        const uid: string = obj.metadata.uid;
        liveUids.add(uid);
        const ips: string[] = (obj.status?.loadBalancer?.ingress ?? []).map((i: { ip: string }) => i.ip);
        if (!s) continue;
        if (!owned(s)) {
          if (obj.status?.loadBalancer?.ingress?.length || obj.status?.conditions?.length)
            this.violation(`${key} of class ${obj.spec.loadBalancerClass} got a status from edgelb`);
          continue;
        }
        const prev = this.seen.get(uid);
        const changed = !prev || prev.ips.join(',') !== ips.join(',');
        if (prev && changed) {
          this.ipChanges++;
          if (prev.ips.length > 0 && !((this.causes.get(uid) ?? 0) >= now))
            this.violation(
              `${key} IP changed ${prev.ips.join(',')} -> ${ips.join(',') || '(none)'} with no cause`,
            );
        }
        this.seen.set(uid, { key, ips });
        state.set(s, { uid, ips, changed });
        for (const ip of ips) {
          let l = byIp.get(ip);
          if (!l) {
            l = [];
            byIp.set(ip, l);
          }
          l.push(s);
        }
      }
    for (const uid of [...this.seen.keys()]) if (!liveUids.has(uid)) this.seen.delete(uid);
    // Causes the spec itself gives: an IP that is invalid now is allowed (required) to move.
    for (const [s, st] of state)
      for (const ip of st.ips)
        if (invalidWhy(ip, s, pool, byIp.get(ip) ?? [])) this.causes.set(st.uid, now + CAUSE_TTL_MS);
    // Incompatible sharing.
    const present = new Set<string>();
    for (const [ip, holders] of byIp)
      for (let i = 0; i < holders.length; i++)
        for (let j = i + 1; j < holders.length; j++) {
          const a = holders[i]!;
          const b = holders[j]!;
          if (compatible(a, b)) continue;
          const sa = state.get(a)!;
          const sb = state.get(b)!;
          const id = `${ip} ${sa.uid} ${sb.uid}`;
          present.add(id);
          let c = this.conflicts.get(id);
          if (!c) {
            c = { since: now, reported: false };
            this.conflicts.set(id, c);
            const quiet = (uid: string) => now - (this.mutated.get(uid) ?? 0) > STALE_MS;
            if ((sa.changed || sb.changed) && quiet(sa.uid) && quiet(sb.uid)) {
              c.reported = true;
              this.violation(
                `${ip} written to ${a.ns}/${a.name} and ${b.ns}/${b.name}, incompatible (keys ${a.sharingKey}/${b.sharingKey}, ETP ${a.etpLocal}/${b.etpLocal}), specs unchanged for ${STALE_MS} ms`,
              );
            }
          }
          if (!c.reported && now - c.since > CONFLICT_GRACE_MS) {
            c.reported = true;
            this.violation(
              `${ip} held by incompatible ${a.ns}/${a.name} and ${b.ns}/${b.name} for more than ${CONFLICT_GRACE_MS} ms`,
            );
          }
        }
    for (const id of [...this.conflicts.keys()]) if (!present.has(id)) this.conflicts.delete(id);
  }

  /** Conflicting pairs right now (for the final check). */
  openConflicts(): number {
    return this.conflicts.size;
  }
}
