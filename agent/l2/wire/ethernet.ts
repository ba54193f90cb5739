/** PURE. Ethernet II frames (IEEE 802.3 with an EtherType): destination, source, type, payload. */
import { MAC_LENGTH, type Mac } from './mac.ts';
import { type Decoded, fail } from './result.ts';

/** EtherTypes (IANA "IEEE 802 Numbers"). */
export const EtherType = {
  IPv4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPv6: 0x86dd,
} as const;

export const ETHERNET_HEADER_LENGTH = 2 * MAC_LENGTH + 2;

export interface EthernetFrame {
  destination: Mac;
  source: Mac;
  etherType: number;
  payload: Uint8Array;
}

export function encodeEthernet(f: EthernetFrame): Uint8Array {
  const out = new Uint8Array(ETHERNET_HEADER_LENGTH + f.payload.length);
  out.set(f.destination, 0);
  out.set(f.source, MAC_LENGTH);
  out[12] = f.etherType >> 8;
  out[13] = f.etherType & 0xff;
  out.set(f.payload, ETHERNET_HEADER_LENGTH);
  return out;
}

/** The payload keeps any trailing padding; the protocol decoders ignore what follows their length. */
export function decodeEthernet(b: Uint8Array): Decoded<EthernetFrame> {
  if (b.length < ETHERNET_HEADER_LENGTH)
    return fail('truncated', `frame of ${b.length} bytes is shorter than an Ethernet header`);
  return {
    ok: true,
    value: {
      destination: b.slice(0, MAC_LENGTH),
      source: b.slice(MAC_LENGTH, 2 * MAC_LENGTH),
      etherType: (b[12]! << 8) | b[13]!,
      payload: b.slice(ETHERNET_HEADER_LENGTH),
    },
  };
}
