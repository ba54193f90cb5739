/**
 * PURE. Whether a received frame is a question this node must answer, and the answer.
 * One rule per condition, each with its reason; everything not answered says why (for tests and
 * debug logs). Only ARP requests and Neighbor Solicitations for an owned IP are answered, always
 * with the interface's own MAC.
 */
import { formatIP } from '../net/ip.ts';
import { ArpOperation, arpReply, decodeArpFrame, encodeArpFrame } from './wire/arp.ts';
import { EtherType } from './wire/ethernet.ts';
import { multicastMac, solicitedNodeGroup } from './wire/ipv6.ts';
import { BROADCAST_MAC, type Mac, macEquals } from './wire/mac.ts';
import { decodeNdFrame, encodeNdFrame, neighborAdvertisementFor } from './wire/ndp.ts';

export interface AnswerContext {
  /** The receiving interface's MAC: the one we answer with. */
  mac: Mac;
  /** Whether this canonical IP is owned on the receiving interface. */
  owns(ip: string): boolean;
}

export type Answer =
  | { kind: 'reply'; family: 4 | 6; ip: string; frame: Uint8Array }
  | { kind: 'ignore'; reason: IgnoreReason };

export type IgnoreReason =
  | 'not-arp-or-ipv6'
  | 'malformed'
  | 'not-a-question'
  | 'from-us'
  | 'not-for-us'
  | 'not-owned'
  | 'announcement'
  | 'ns-without-source-lla';

const ignore = (reason: IgnoreReason): Answer => ({ kind: 'ignore', reason });

export function answer(frame: Uint8Array, ctx: AnswerContext): Answer {
  if (frame.length < 14) return ignore('malformed');
  const etherType = (frame[12]! << 8) | frame[13]!;
  if (etherType === EtherType.ARP) return answerArp(frame, ctx);
  if (etherType === EtherType.IPv6) return answerNs(frame, ctx);
  return ignore('not-arp-or-ipv6');
}

function answerArp(frame: Uint8Array, ctx: AnswerContext): Answer {
  const d = decodeArpFrame(frame);
  if (!d.ok) return ignore('malformed');
  const { destination, source, arp } = d.value;
  // Replies (including gratuitous ones from another node) are never answered.
  if (arp.operation !== ArpOperation.Request) return ignore('not-a-question');
  // Our own frames can come back on a packet socket; never answer ourselves.
  if (macEquals(source, ctx.mac) || macEquals(arp.senderMac, ctx.mac)) return ignore('from-us');
  // A request unicast to another MAC (seen only in promiscuous mode) is that host's to answer.
  if (!macEquals(destination, BROADCAST_MAC) && !macEquals(destination, ctx.mac)) return ignore('not-for-us');
  const ip = formatIP(arp.targetIP);
  if (!ctx.owns(ip)) return ignore('not-owned');
  // Someone else announcing our IP (sender = target) is not a question; an ARP probe (sender 0.0.0.0,
  // RFC 5227) is, and answering it defends the address.
  if (arp.senderIP.value === arp.targetIP.value) return ignore('announcement');
  return { kind: 'reply', family: 4, ip, frame: encodeArpFrame(arpReply(arp, ctx.mac)) };
}

function answerNs(frame: Uint8Array, ctx: AnswerContext): Answer {
  const d = decodeNdFrame(frame);
  if (!d.ok)
    return ignore(
      d.reason === 'not-icmpv6' || d.reason === 'not-neighbor-discovery' ? 'not-a-question' : 'malformed',
    );
  const f = d.value;
  if (f.message.type !== 'ns') return ignore('not-a-question');
  if (macEquals(f.sourceMac, ctx.mac)) return ignore('from-us');
  const target = f.message.target;
  const group = solicitedNodeGroup(target);
  // Sent to the target itself (unicast NUD probe) or to its solicited-node group (resolution);
  // the Ethernet destination must be ours or that group's MAC.
  const toTarget = f.destination.value === target.value;
  const toGroup = f.destination.value === group.value;
  if (!toTarget && !toGroup) return ignore('not-for-us');
  const macOk = toTarget
    ? macEquals(f.destinationMac, ctx.mac)
    : macEquals(f.destinationMac, multicastMac(group));
  if (!macOk) return ignore('not-for-us');
  const ip = formatIP(target);
  if (!ctx.owns(ip)) return ignore('not-owned');
  // RFC 4861 §4.3: a multicast NS from a specified address MUST carry the Source LLA (we would not
  // know where to answer); a unicast NS SHOULD, and without it we answer the frame's source MAC.
  if (toGroup && f.source.value !== 0n && !f.message.sourceLinkLayer) return ignore('ns-without-source-lla');
  const ns = { ...f, message: f.message };
  return { kind: 'reply', family: 6, ip, frame: encodeNdFrame(neighborAdvertisementFor(ns, ctx.mac)) };
}
