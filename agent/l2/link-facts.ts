/**
 * SHELL. Interface facts from the OS for the interface choice (interface-choice.ts):
 * names, addresses and subnets from os.networkInterfaces(), the ifindex from if_nametoindex(3),
 * MAC and flags from /sys/class/net/<name> (`ip netns exec` mounts the namespace's own sysfs).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { LinkFacts } from './interface-choice.ts';
import { ifNameToIndex } from './packet-socket.ts';

const SYS_NET = '/sys/class/net';
/** <linux/if.h> interface flags. */
const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const IFF_NOARP = 0x80;

function sys(name: string, file: string): string | undefined {
  try {
    return readFileSync(`${SYS_NET}/${name}/${file}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function readLinks(): LinkFacts[] {
  const os = networkInterfaces();
  let names: string[];
  try {
    names = readdirSync(SYS_NET);
  } catch {
    names = Object.keys(os);
  }
  const out: LinkFacts[] = [];
  for (const name of new Set([...names, ...Object.keys(os)])) {
    const ifindex = ifNameToIndex(name);
    if (ifindex === 0) continue;
    const flagsText = sys(name, 'flags');
    const flags = Number.parseInt(flagsText ?? '0', 16);
    const addrs = os[name] ?? [];
    out.push({
      name,
      ifindex,
      mac: (sys(name, 'address') ?? addrs[0]?.mac ?? '').toLowerCase(),
      // Without sysfs: libuv lists only interfaces that are up and running.
      up: flagsText === undefined ? addrs.length > 0 : (flags & IFF_UP) !== 0,
      loopback: (flags & IFF_LOOPBACK) !== 0 || addrs.some((a) => a.internal),
      noarp: (flags & IFF_NOARP) !== 0,
      addresses: addrs.flatMap((a) => (a.cidr ? [{ cidr: a.cidr }] : [])),
    });
  }
  return out.sort((a, b) => a.ifindex - b.ifindex);
}
