/**
 * PURE. On which interface(s) an IP is answered. With regular expressions (the policy's
 * spec.interfaces): every usable interface whose name matches one. Without: the usable
 * interface(s) whose on-link subnet contains the IP, the longest prefix winning (as the
 * kernel's route would). An IP on no local subnet is a reason that names it.
 * Usable = up, has a MAC, not loopback, not NOARP (kube-ipvs0 is a NOARP dummy).
 */
import { type Cidr, cidrRange, formatCidr, type IP, inRange, parseCidr, parseIP } from '../net/ip.ts';

export interface LinkAddress {
  /** "192.168.2.10/24" or "fd00:2::10/64". */
  cidr: string;
}

export interface LinkFacts {
  name: string;
  ifindex: number;
  /** "aa:bb:cc:dd:ee:ff". */
  mac: string;
  up: boolean;
  loopback: boolean;
  noarp: boolean;
  addresses: LinkAddress[];
}

export type InterfaceChoice =
  | { ok: true; interfaces: string[] }
  | { ok: false; code: 'bad-ip' | 'no-local-subnet' | 'no-matching-interface'; message: string };

export function usable(l: LinkFacts): boolean {
  return l.up && !l.loopback && !l.noarp && l.mac !== '' && l.mac !== '00:00:00:00:00:00';
}

export function chooseInterfaces(ipText: string, links: LinkFacts[], patterns?: RegExp[]): InterfaceChoice {
  const parsed = parseIP(ipText);
  if (!parsed.ok) return { ok: false, code: 'bad-ip', message: parsed.error };
  const ip = parsed.value;
  const candidates = links.filter(usable);
  if (patterns && patterns.length > 0) {
    const names = candidates.filter((l) => patterns.some((p) => p.test(l.name))).map((l) => l.name);
    if (names.length === 0)
      return {
        ok: false,
        code: 'no-matching-interface',
        message: `no usable interface matches ${patterns.map(String).join(', ')} for ${ipText} (usable: ${candidates.map((l) => l.name).join(', ') || 'none'})`,
      };
    return { ok: true, interfaces: names.sort() };
  }
  let best = -1;
  let names: string[] = [];
  const seen: string[] = [];
  for (const l of candidates) {
    for (const a of l.addresses) {
      const c = subnet(a.cidr, ip);
      if (!c) continue;
      seen.push(`${l.name} ${formatCidr(c)}`);
      // A host prefix (/32, /128) is an address, not a subnet anyone can be on.
      if (c.prefixLength === (ip.family === 4 ? 32 : 128)) continue;
      if (!inRange(ip, cidrRange(c))) continue;
      if (c.prefixLength > best) {
        best = c.prefixLength;
        names = [l.name];
      } else if (c.prefixLength === best && !names.includes(l.name)) names.push(l.name);
    }
  }
  if (names.length === 0)
    return {
      ok: false,
      code: 'no-local-subnet',
      message: `${ipText} is on no local subnet (${seen.join(', ') || `no usable IPv${ip.family} subnet`})`,
    };
  return { ok: true, interfaces: names.sort() };
}

/** The CIDR of an interface address, if it is of the IP's family. */
function subnet(text: string, ip: IP): Cidr | undefined {
  const c = parseCidr(text);
  return c.ok && c.value.family === ip.family ? c.value : undefined;
}
