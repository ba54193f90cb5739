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
 * - Every announcement of every IP comes from one schedule and one timer (announcer.ts),
 *   at most MAX_ANNOUNCEMENTS_PER_TICK at a time: a takeover of 10,000 IPs announces the first
 *   500 before setOwned returns and the rest within about 0.2 s (500 every DRAIN_INTERVAL_MS),
 *   without a timer or a closure per IP (they cost about 1.4 KB of heap and 4 KB of RSS per IP).
 *   An owned IP is one small record; its frames are built when sent.
 * - Sockets exist only while their interface has an owned IP; they are drained every
 *   DRAIN_INTERVAL_MS from a timer, never with a blocking call. stop() closes everything.
 */
import type { Clock, Timer } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import { formatIP, type IP, parseIP } from '../net/ip.ts';
import { Announcer } from './announcer.ts';
import { answer } from './answer.ts';
import { joinGroupFor, type Link, leaveGroupFor, type OpenLink } from './link.ts';
import { encodeArpFrame, gratuitousArp } from './wire/arp.ts';
import { encodeNdFrame, unsolicitedNeighborAdvertisement } from './wire/ndp.ts';

// The LinkPort contract lives in link.ts; re-exported for the callers that build fake ports.
export type { LinkPort, OpenLink } from './link.ts';

export const DEFAULT_GRATUITOUS_INTERVAL_SECONDS = 60;
export const BURST_OFFSETS_MS = [0, 500, 1000] as const;
/** Worst-case added answer latency; ~100 cheap non-blocking recvfrom calls a second per socket. */
export const DRAIN_INTERVAL_MS = 10;
/** Frames handled per drain, so a flood cannot hold the event loop. */
export const MAX_FRAMES_PER_DRAIN = 256;
/** IPs gained or lost in one setOwned that are logged one by one; the rest as one line with counts. */
export const LOG_EACH_MAX = 16;
/** Announcements sent in one go (setOwned or the schedule's timer); the rest follow DRAIN_INTERVAL_MS later. */
export const MAX_ANNOUNCEMENTS_PER_TICK = 500;

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
  key: string;
  ip: IP;
  text: string;
  link: string;
  since: number;
}

const key = (ip: string, link: string) => `${ip}%${link}`;
/** The same order as String#localeCompare with the default locale, without its per-call setup. */
const collator = new Intl.Collator();

export class Responder {
  private readonly owned = new Map<string, Owned>();
  private readonly links = new Map<string, Link>();
  private drainTimer: Timer | undefined;
  private readonly announcer: Announcer<Owned>;
  /** Bumped whenever the answered set changes (for callers that cache what they derived from it). */
  private changes = 0;
  private readonly failing = new Set<string>();
  private stopped = false;
  private readonly intervalMs: number;
  private readonly stats: ResponderCounters = {
    requestsAnswered: { 4: 0, 6: 0 },
    gratuitousSent: { 4: 0, 6: 0 },
  };

  constructor(private readonly o: ResponderOptions) {
    this.intervalMs = (o.gratuitousIntervalSeconds ?? DEFAULT_GRATUITOUS_INTERVAL_SECONDS) * 1000;
    this.announcer = new Announcer<Owned>({
      clock: o.clock,
      burstOffsetsMs: BURST_OFFSETS_MS,
      intervalMs: this.intervalMs,
      maxPerTick: MAX_ANNOUNCEMENTS_PER_TICK,
      retryMs: DRAIN_INTERVAL_MS,
      alive: (owned) => this.alive(owned),
      send: (owned) => this.announce(owned),
      stopped: () => this.stopped,
    });
  }

  /** Makes the answered set exactly `owned`; returns what could not be answered (bad IP, interface). */
  setOwned(owned: ReadonlyMap<string, string | readonly string[]>): Problem[] {
    if (this.stopped) return [];
    const problems: Problem[] = [];
    const want = new Map<string, { ip: IP; text: string; link: string } | undefined>();
    for (const [ipText, links] of owned) {
      const list = typeof links === 'string' ? [links] : links;
      // Already answered under this (canonical) text: nothing to parse.
      if (list.every((link) => this.owned.has(key(ipText, link)))) {
        for (const link of list) want.set(key(ipText, link), undefined);
        continue;
      }
      const p = parseIP(ipText);
      if (!p.ok) {
        problems.push({ ip: ipText, message: p.error });
        continue;
      }
      const text = formatIP(p.value);
      for (const link of list) want.set(key(text, link), { ip: p.value, text, link });
    }
    // Losses first: they take effect before anything new is announced.
    let lost = 0;
    let gained = 0;
    for (const [k, o] of this.owned) if (!want.has(k)) this.release(k, o, ++lost <= LOG_EACH_MAX);
    for (const [k, w] of want) {
      if (!w || this.owned.has(k)) continue;
      const problem = this.acquire(k, w.ip, w.text, w.link, gained < LOG_EACH_MAX);
      if (problem) problems.push(problem);
      else gained++;
    }
    if (lost > LOG_EACH_MAX || gained > LOG_EACH_MAX)
      this.o.log?.info('answered set changed', {
        gained,
        lost,
        answering: this.owned.size,
        note: `only the first ${LOG_EACH_MAX} of each were logged by IP`,
      });
    if (this.owned.size === 0) this.announcer.clear();
    else {
      this.announcer.compactIfLarge(this.owned.size);
      this.announcer.announceDue();
    }
    return problems;
  }

  /** Changes whenever an (IP, interface) pair starts or stops being answered. */
  generation(): number {
    return this.changes;
  }

  /** The answered (IP, interface) pairs as "ip%interface", unordered and without copying. */
  answeredKeys(): Iterable<string> {
    return this.owned.keys();
  }

  snapshot(): { owned: OwnedEntry[] } {
    const owned = [...this.owned.values()]
      .map((o) => ({ ip: o.text, interface: o.link, since: new Date(o.since).toISOString() }))
      .sort((a, b) =>
        a.ip === b.ip ? collator.compare(a.interface, b.interface) : collator.compare(a.ip, b.ip),
      );
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

  private acquire(k: string, ip: IP, text: string, linkName: string, logIt: boolean): Problem | undefined {
    let link = this.links.get(linkName);
    if (!link) {
      const opened = this.o.openLink(linkName);
      if (!opened.ok) return { ip: text, interface: linkName, message: opened.reason };
      link = { port: opened.port, ips: new Set(), groups: new Map() };
      this.links.set(linkName, link);
    }
    joinGroupFor(link, ip, (err) =>
      // Unicast NS (NUD) are still answered; multicast ones may be filtered by the NIC.
      this.o.log?.warn('cannot join the solicited-node group', {
        ip: text,
        interface: linkName,
        error: String(err),
      }),
    );
    link.ips.add(k);
    const o: Owned = { key: k, ip, text, link: linkName, since: this.o.clock.now() };
    this.owned.set(k, o);
    this.changes++;
    if (logIt) this.o.log?.info('answering', { ip: text, interface: linkName });
    // The schedule runs on monotonic time, as the timers do.
    this.announcer.add(o);
    this.ensureDrain();
    return undefined;
  }

  private release(k: string, o: Owned, logIt: boolean): void {
    this.owned.delete(k);
    this.changes++;
    const link = this.links.get(o.link);
    if (!link) return;
    link.ips.delete(k);
    leaveGroupFor(link, o.ip);
    if (logIt) this.o.log?.info('no longer answering', { ip: o.text, interface: o.link });
    if (link.ips.size === 0) {
      link.port.close();
      this.links.delete(o.link);
    }
    if (this.links.size === 0) {
      this.drainTimer?.cancel();
      this.drainTimer = undefined;
    }
  }

  private alive(o: Owned): boolean {
    return this.owned.get(o.key) === o;
  }

  private announce(o: Owned): void {
    if (!this.alive(o)) return;
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
