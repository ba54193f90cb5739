/** PURE. The IPAM's fast address conversions: they live in agent/net (the one IP module). */
export { type AddrText, formatAddr, parseAddr, parseAddrText } from '../net/fast.ts';
