/**
 * SHELL. The real LinkPort of one interface: an AF_PACKET socket for ARP, one for IPv6 (the
 * responder keeps Neighbor Solicitations, in user space), and a membership socket for the
 * solicited-node groups.
 *
 * Why AF_PACKET for NDP rather than an ICMPv6 raw socket: the kernel hands a raw ICMPv6 socket
 * only what its IPv6 stack accepts as local, and the VIP is not an address of the interface, so
 * a unicast NS to the VIP (a client's NUD probe) would never arrive; the packet socket sees every
 * frame the NIC accepts. Why join with IPV6_ADD_MEMBERSHIP on a UDP socket rather than
 * PACKET_ADD_MEMBERSHIP: both program the NIC's multicast filter (Cilium #41678, #44311), but only
 * the IPv6 join sends MLD reports, without which an MLD-snooping switch keeps sending the group's
 * NS to the port of whoever joined it last (the old owner). Closing the sockets leaves the group.
 */

import { readFileSync } from 'node:fs';
import { type IP, ipToBytes } from '../net/ip.ts';
import type { LinkPort, OpenLink } from './link.ts';
import {
  closeSocket,
  ETH_P_ARP,
  ETH_P_IPV6,
  ifNameToIndex,
  joinGroup,
  leaveGroup,
  openMembershipSocket,
  openPacketSocket,
  PACKET_OUTGOING,
  recvFrame,
  SocketError,
  sendFrame,
} from './packet-socket.ts';
import { parseMac } from './wire/mac.ts';

/** Large enough for any frame on a standard or jumbo MTU. */
const RECEIVE_BUFFER = 9216;

export const openLink: OpenLink = (name) => {
  const ifindex = ifNameToIndex(name);
  if (ifindex === 0) return { ok: false, reason: `no interface ${name}` };
  let macText: string;
  try {
    macText = readFileSync(`/sys/class/net/${name}/address`, 'utf8').trim();
  } catch {
    return { ok: false, reason: `cannot read the MAC of ${name}` };
  }
  const mac = parseMac(macText);
  if (!mac) return { ok: false, reason: `${name} has no Ethernet MAC (${macText || 'none'})` };
  const fds: number[] = [];
  try {
    fds.push(openPacketSocket(ifindex, ETH_P_ARP));
    fds.push(openPacketSocket(ifindex, ETH_P_IPV6));
  } catch (err) {
    for (const fd of fds) closeSocket(fd);
    return { ok: false, reason: `${name}: ${(err as Error).message}` };
  }
  const buf = new Uint8Array(RECEIVE_BUFFER);
  let membership: number | undefined;
  let closed = false;
  const port: LinkPort = {
    name,
    mac,
    drain(max) {
      const out: Uint8Array[] = [];
      for (const fd of fds) {
        while (out.length < max) {
          const r = recvFrame(fd, buf);
          if (r === 'empty') break;
          if (r.pktType !== PACKET_OUTGOING) out.push(r.frame);
        }
      }
      return out;
    },
    send(frame) {
      return sendFrame(frame[12] === 0x86 ? fds[1]! : fds[0]!, frame);
    },
    join(group: IP) {
      membership ??= openMembershipSocket();
      joinGroup(membership, ipToBytes(group), ifindex);
    },
    leave(group: IP) {
      if (membership === undefined) return;
      try {
        leaveGroup(membership, ipToBytes(group), ifindex);
      } catch (err) {
        if (!(err instanceof SocketError)) throw err;
      }
    },
    close() {
      if (closed) return;
      closed = true;
      for (const fd of fds) closeSocket(fd);
      if (membership !== undefined) closeSocket(membership);
    },
  };
  return { ok: true, port };
};
