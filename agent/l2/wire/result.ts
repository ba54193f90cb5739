/** PURE. What a decoder returns: a value, or a stable reason code and a sentence. Decoders never throw. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: DecodeReason; detail: string };

export type DecodeReason =
  | 'truncated'
  | 'bad-ethertype'
  | 'bad-arp-header'
  | 'bad-ipv6-header'
  | 'not-icmpv6'
  | 'bad-checksum'
  | 'bad-hop-limit'
  | 'bad-code'
  | 'not-neighbor-discovery'
  | 'bad-option'
  | 'bad-target';

export function fail<T>(reason: DecodeReason, detail: string): Decoded<T> {
  return { ok: false, reason, detail };
}
