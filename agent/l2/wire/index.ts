/** PURE. The L2 codec: Ethernet, ARP (RFC 826), IPv6 + ICMPv6 Neighbor Discovery (RFC 4861). */
export * from './arp.ts';
export * from './ethernet.ts';
export * from './ipv6.ts';
export * from './mac.ts';
export * from './ndp.ts';
export * from './result.ts';
