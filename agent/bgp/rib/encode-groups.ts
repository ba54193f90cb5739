/**
 * PURE. UPDATEs for one group of prefixes of one family sharing one attribute set: the peer's
 * outbound attributes with the group's own on top (route-attributes.ts: communities add, the
 * rest replace) encoded once, then packed (pack.ts) up to the negotiated message size.
 */
import { encodeAttributes, MAX_EXTENDED_MESSAGE, MAX_MESSAGE } from '../wire/index.ts';
import { outboundAttributes } from './outbound.ts';
import {
  packIPv4AnnounceNlri,
  packIPv4WithdrawNlri,
  packIPv6AnnounceNlri,
  packIPv6WithdrawNlri,
} from './pack.ts';
import type { RouteAttributes } from './route-attributes.ts';

export type Family = 'ipv4' | 'ipv6';

/** The session context the encoding needs (RibOutContext, rib-context.ts, adds the families). */
export interface EncodeContext {
  nextHopV4?: string;
  nextHopV6?: Uint8Array;
  as4: boolean;
  extendedMessage: boolean;
  localASN: number;
  peerASN: number;
  communities: readonly string[];
  largeCommunities: readonly string[];
  localPreference?: number;
  med?: number;
  asPathPrepend?: number;
}

function maxLength(ctx: EncodeContext): number {
  return ctx.extendedMessage ? MAX_EXTENDED_MESSAGE : MAX_MESSAGE;
}

function union(a: readonly string[], b: readonly string[] | undefined): readonly string[] {
  return b?.length ? [...new Set([...a, ...b])] : a;
}

function attributeBlock(ctx: EncodeContext, f: Family, own?: RouteAttributes): Uint8Array {
  const localPreference = own?.localPreference ?? ctx.localPreference;
  const med = own?.med ?? ctx.med;
  const asPathPrepend = own?.asPathPrepend ?? ctx.asPathPrepend;
  const attrs = outboundAttributes({
    localASN: ctx.localASN,
    peerASN: ctx.peerASN,
    as4: ctx.as4,
    ...(f === 'ipv4' && ctx.nextHopV4 ? { nextHopV4: ctx.nextHopV4 } : {}),
    communities: union(ctx.communities, own?.communities),
    largeCommunities: union(ctx.largeCommunities, own?.largeCommunities),
    ...(localPreference !== undefined ? { localPreference } : {}),
    ...(med !== undefined ? { med } : {}),
    ...(asPathPrepend ? { asPathPrepend } : {}),
  });
  return encodeAttributes(attrs, { as4: ctx.as4 });
}

/** Announcements of prefixes already encoded as NLRI, back to back in nlri[0, used); `own`: the group's attributes. */
export function announceNlri(
  ctx: EncodeContext,
  f: Family,
  nlri: Uint8Array,
  used: number,
  own?: RouteAttributes,
): Uint8Array[] {
  const block = attributeBlock(ctx, f, own);
  return f === 'ipv4'
    ? packIPv4AnnounceNlri(block, nlri, used, maxLength(ctx))
    : packIPv6AnnounceNlri(block, ctx.nextHopV6!, nlri, used, maxLength(ctx));
}

export function withdrawNlri(ctx: EncodeContext, f: Family, nlri: Uint8Array, used: number): Uint8Array[] {
  return f === 'ipv4'
    ? packIPv4WithdrawNlri(nlri, used, maxLength(ctx))
    : packIPv6WithdrawNlri(nlri, used, maxLength(ctx));
}
