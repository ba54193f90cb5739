/**
 * L2 mode's interface step: the interfaces that answer each IP this node owns, by the rule the
 * plan gives it (plan/l2.ts: the selecting policies' interface patterns, and/or the on-link
 * subnet; l2/interface-choice.ts chooses), and a named problem for an owned IP no interface
 * here can answer. No I/O: the caller reads the links (l2-announcer.ts).
 */
import { chooseInterfaces, type InterfaceChoice, type LinkFacts } from '../l2/interface-choice.ts';
import type { L2InterfaceRule } from './plan/l2.ts';

/** Cached patterns past this many are compiled afresh (policies are few). */
const MAX_CACHED_PATTERNS = 256;

/** Each interface pattern compiled once (not once per IP and pass). */
export class PatternCache {
  private readonly regexps = new Map<string, RegExp>();

  regexp(pattern: string): RegExp {
    let r = this.regexps.get(pattern);
    if (!r) {
      // Policies are few; a cache grown past any real use is started again.
      if (this.regexps.size >= MAX_CACHED_PATTERNS) this.regexps.clear();
      r = new RegExp(pattern);
      this.regexps.set(pattern, r);
    }
    return r;
  }
}

export interface OwnedInterfaces {
  /** IP -> the interfaces that answer it (sorted), the IPs inserted in sorted text order. */
  want: Map<string, string[]>;
  /** One line per owned IP that no interface here answers. */
  problems: string[];
}

/** The interfaces for each owned IP, and a problem for each owned IP none answers. */
export function interfacesForOwned(
  owned: ReadonlySet<string>,
  rules: ReadonlyMap<string, L2InterfaceRule>,
  links: LinkFacts[],
  patterns: PatternCache,
): OwnedInterfaces {
  const problems: string[] = [];
  const want = new Map<string, string[]>();
  // The pattern rule's answer does not depend on the IP (plan IPs are valid): once per rule.
  const byPatterns = new Map<string, InterfaceChoice>();
  for (const ip of [...owned].sort()) {
    const rule = rules.get(ip);
    // Owned by a decision made before this pass's plan: the next ownership update drops it.
    if (!rule) continue;
    const names = new Set<string>();
    const why: string[] = [];
    if (rule.patterns.length > 0) {
      const k = rule.patterns.join('\n');
      let c = byPatterns.get(k);
      if (!c?.ok) {
        c = chooseInterfaces(
          ip,
          links,
          rule.patterns.map((p) => patterns.regexp(p)),
        );
        byPatterns.set(k, c);
      }
      if (c.ok) for (const n of c.interfaces) names.add(n);
      else why.push(c.message);
    }
    if (rule.onLink) {
      const c = chooseInterfaces(ip, links);
      if (c.ok) for (const n of c.interfaces) names.add(n);
      else why.push(c.message);
    }
    if (names.size === 0) {
      problems.push(`L2: ${ip} is owned by this node but not answered: ${why.join('; ')}`);
      continue;
    }
    want.set(ip, [...names].sort());
  }
  return { want, problems };
}
