/**
 * SHELL. Answers ARP requests and IPv6 Neighbor Solicitations for the IPs this node owns, on
 * their interfaces, with the interface's MAC; announces them with gratuitous ARP / unsolicited
 * NA. The decision per frame is the pure answer.ts; this class keeps the sockets, timers and
 * counters. Time comes from the injected Clock.
 *
 * - setOwned(map ip → interface name(s)) is idempotent: removed IPs stop being answered at
 *   once (before it returns), added ones are announced at once.
 * - On gaining an IP: an announcement at 0, 0.5 s and 1 s (BURST_OFFSETS_MS; RFC 4861 §7.2.6 allows
 *   up to 3 unsolicited NAs), then one every gratuitousIntervalSeconds (default 60; 0 = off) so
 *   switch FDBs never age out (MetalLB #2910). One IPv4 announcement is two broadcast frames, a
 *   gratuitous request and a gratuitous reply; it counts once in gratuitousSent.
 * - Sockets exist only while their interface has an owned IP; they are drained every
 *   DRAIN_INTERVAL_MS from a timer, never with a blocking call. stop() closes everything.
 */
import type { Clock, Timer } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import { formatIP, type IP, parseIP } from '../net/ip.ts';
import { answer } from './answer.ts';
import { encodeArpFrame, gratuitousArp } from './wire/arp.ts';
import { solicitedNodeGroup } from './wire/ipv6.ts';
import type { Mac } from './wire/mac.ts';
import { encodeNdFrame, unsolicitedNeighborAdvertisement } from './wire/ndp.ts';

export const DEFAULT_GRATUITOUS_INTERVAL_SECONDS = 60;
export const BURST_OFFSETS_MS = [0, 500, 1000] as const;
/** Worst-case added answer latency; ~100 cheap non-blocking recvfrom calls a second per socket. */
export const DRAIN_INTERVAL_MS = 10;
/** Frames handled per drain, so a flood cannot hold the event loop. */
export const MAX_FRAMES_PER_DRAIN = 256;

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

export interface ResponderOptions {
  clock: Clock;
  openLink: OpenLink;
  log?: Logger;
  gratuitousIntervalSeconds?: number;
  /**
   * Asked before each reply and announcement (L2Ownership.mayAnswer: owned and not fenced), so a
   * frame read after the fence deadline, before the fence timer ran, is not answered.
   */
  mayAnswer?: (ip: string) => boolean;
}

export interface OwnedEntry {
  ip: string;
  interface: string;
  /** ISO time the IP was first answered on this interface. */
  since: string;
}

export interface ResponderCounters {
  requestsAnswered: { 4: number; 6: number };
  gratuitousSent: { 4: number; 6: number };
}

export interface Problem {
  ip: string;
  interface?: string;
  message: string;
}

interface Owned {
  ip: IP;
  text: string;
  link: string;
  since: number;
  timers: Timer[];
}

interface Link {
  port: LinkPort;
  ips: Set<string>;
  /** Solicited-node group (canonical text) → number of owned IPs in it. */
  groups: Map<string, number>;
}

const key = (ip: string, link: string) => `${ip}%${link}`;

export class Responder {
  private readonly owned = new Map<string, Owned>();
  private readonly links = new Map<string, Link>();
  private drainTimer: Timer | undefined;
  private readonly failing = new Set<string>();
  private stopped = false;
  private readonly intervalMs: number;
  private readonly stats: ResponderCounters = {
    requestsAnswered: { 4: 0, 6: 0 },
    gratuitousSent: { 4: 0, 6: 0 },
  };

  constructor(private readonly o: ResponderOptions) {
    this.intervalMs = (o.gratuitousIntervalSeconds ?? DEFAULT_GRATUITOUS_INTERVAL_SECONDS) * 1000;
  }

  /** Makes the answered set exactly `owned`; returns what could not be answered (bad IP, interface). */
  setOwned(owned: ReadonlyMap<string, string | readonly string[]>): Problem[] {
    if (this.stopped) return [];
    const problems: Problem[] = [];
    const want = new Map<string, { ip: IP; text: string; link: string }>();
    for (const [ipText, links] of owned) {
      const p = parseIP(ipText);
      if (!p.ok) {
        problems.push({ ip: ipText, message: p.error });
        continue;
      }
      const text = formatIP(p.value);
      for (const link of typeof links === 'string' ? [links] : links)
        want.set(key(text, link), { ip: p.value, text, link });
    }
    // Losses first: they take effect before anything new is announced.
    for (const [k, o] of this.owned) if (!want.has(k)) this.release(k, o);
    for (const [k, w] of want) {
      if (this.owned.has(k)) continue;
      const problem = this.acquire(k, w.ip, w.text, w.link);
      if (problem) problems.push(problem);
    }
    return problems;
  }

  snapshot(): { owned: OwnedEntry[] } {
    const owned = [...this.owned.values()]
      .map((o) => ({ ip: o.text, interface: o.link, since: new Date(o.since).toISOString() }))
      .sort((a, b) => (a.ip === b.ip ? a.interface.localeCompare(b.interface) : a.ip.localeCompare(b.ip)));
    return { owned };
  }

  counters(): ResponderCounters {
    return {
      requestsAnswered: { ...this.stats.requestsAnswered },
      gratuitousSent: { ...this.stats.gratuitousSent },
    };
  }

  /** Stops answering at once and closes every socket (leaving every group). Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.setOwned(new Map());
    this.stopped = true;
  }

  private acquire(k: string, ip: IP, text: string, linkName: string): Problem | undefined {
    let link = this.links.get(linkName);
    if (!link) {
      const opened = this.o.openLink(linkName);
      if (!opened.ok) return { ip: text, interface: linkName, message: opened.reason };
      link = { port: opened.port, ips: new Set(), groups: new Map() };
      this.links.set(linkName, link);
    }
    if (ip.family === 6) {
      const group = formatIP(solicitedNodeGroup(ip));
      const n = link.groups.get(group) ?? 0;
      if (n === 0) {
        try {
          link.port.join(solicitedNodeGroup(ip));
        } catch (err) {
          // Unicast NS (NUD) are still answered; multicast ones may be filtered by the NIC.
          this.o.log?.warn('cannot join the solicited-node group', {
            ip: text,
            interface: linkName,
            error: String(err),
          });
        }
      }
      link.groups.set(group, n + 1);
    }
    link.ips.add(k);
    const o: Owned = { ip, text, link: linkName, since: this.o.clock.now(), timers: [] };
    this.owned.set(k, o);
    this.o.log?.info('answering', { ip: text, interface: linkName });
    for (const offset of BURST_OFFSETS_MS) {
      if (offset === 0) this.announce(o);
      else o.timers.push(this.o.clock.setTimer(offset, () => this.announce(o)));
    }
    if (this.intervalMs > 0) this.schedulePeriodic(o);
    this.ensureDrain();
    return undefined;
  }

  private release(k: string, o: Owned): void {
    this.owned.delete(k);
    for (const t of o.timers) t.cancel();
    o.timers = [];
    const link = this.links.get(o.link);
    if (!link) return;
    link.ips.delete(k);
    if (o.ip.family === 6) {
      const group = formatIP(solicitedNodeGroup(o.ip));
      const n = (link.groups.get(group) ?? 1) - 1;
      if (n <= 0) {
        link.groups.delete(group);
        try {
          link.port.leave(solicitedNodeGroup(o.ip));
        } catch {}
      } else link.groups.set(group, n);
    }
    this.o.log?.info('no longer answering', { ip: o.text, interface: o.link });
    if (link.ips.size === 0) {
      link.port.close();
      this.links.delete(o.link);
    }
    if (this.links.size === 0) {
      this.drainTimer?.cancel();
      this.drainTimer = undefined;
    }
  }

  private schedulePeriodic(o: Owned): void {
    const t = this.o.clock.setTimer(this.intervalMs, () => {
      o.timers = o.timers.filter((x) => x !== t);
      if (!this.owned.has(key(o.text, o.link))) return;
      this.announce(o);
      this.schedulePeriodic(o);
    });
    o.timers.push(t);
  }

  private announce(o: Owned): void {
    if (this.owned.get(key(o.text, o.link)) !== o) return;
    if (this.o.mayAnswer && !this.o.mayAnswer(o.text)) return;
    const link = this.links.get(o.link);
    if (!link) return;
    const mac = link.port.mac;
    const frames =
      o.ip.family === 4
        ? gratuitousArp(o.ip, mac).map(encodeArpFrame)
        : [encodeNdFrame(unsolicitedNeighborAdvertisement(o.ip, mac))];
    let sent = true;
    for (const f of frames) sent = this.trySend(link, f) && sent;
    if (sent) this.stats.gratuitousSent[o.ip.family]++;
  }

  private trySend(link: Link, frame: Uint8Array): boolean {
    try {
      return link.port.send(frame);
    } catch (err) {
      this.o.log?.warn('send failed', { interface: link.port.name, error: String(err) });
      return false;
    }
  }

  private ensureDrain(): void {
    if (this.drainTimer || this.links.size === 0) return;
    this.drainTimer = this.o.clock.setTimer(DRAIN_INTERVAL_MS, () => {
      this.drainTimer = undefined;
      this.drain();
      this.ensureDrain();
    });
  }

  /** Handles every queued frame (bounded); public for tests that drive it without a timer. */
  drain(): void {
    for (const [name, link] of this.links) {
      let frames: Uint8Array[];
      try {
        frames = link.port.drain(MAX_FRAMES_PER_DRAIN);
        if (this.failing.delete(name)) this.o.log?.info('receiving again', { interface: name });
      } catch (err) {
        // Logged once per failure spell, not on every drain (every DRAIN_INTERVAL_MS).
        if (!this.failing.has(name))
          this.o.log?.warn('receive failed', { interface: name, error: String(err) });
        this.failing.add(name);
        continue;
      }
      for (const frame of frames) {
        const a = answer(frame, {
          mac: link.port.mac,
          owns: (ip) => this.owned.has(key(ip, name)) && (this.o.mayAnswer?.(ip) ?? true),
        });
        if (a.kind === 'ignore') continue;
        if (this.trySend(link, a.frame)) this.stats.requestsAnswered[a.family]++;
      }
    }
  }
}
