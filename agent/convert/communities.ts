/** PURE. BGP communities from Cilium's and MetalLB's notations into edgelb's standard/large lists. */
import { WELL_KNOWN_COMMUNITIES } from '../api/peering-policy.ts';
import { asList, at, isMap, type Notes, present, UINT32_MAX } from './types.ts';

export interface Communities {
  standard: string[];
  large: string[];
}

const STANDARD = /^(\d{1,5}):(\d{1,5})$/;
const LARGE = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/;

function standardOf(s: string): string | undefined {
  const named = WELL_KNOWN_COMMUNITIES[s.toLowerCase()];
  if (named) return named;
  const m = STANDARD.exec(s);
  if (m && Number(m[1]) <= 65535 && Number(m[2]) <= 65535) return `${Number(m[1])}:${Number(m[2])}`;
  if (/^\d{1,10}$/.test(s) && Number(s) <= UINT32_MAX)
    return `${Math.floor(Number(s) / 65536)}:${Number(s) % 65536}`;
  return undefined;
}

function largeOf(s: string): string | undefined {
  const m = LARGE.exec(s);
  if (m && [m[1], m[2], m[3]].every((x) => Number(x) <= UINT32_MAX))
    return `${Number(m[1])}:${Number(m[2])}:${Number(m[3])}`;
  return undefined;
}

function push(list: string[], v: string): void {
  if (!list.includes(v)) list.push(v);
}

/** Cilium's `communities: {standard, wellKnown, large}`. */
export function ciliumCommunities(v: unknown, field: string, notes: Notes): Communities {
  const out: Communities = { standard: [], large: [] };
  if (!isMap(v)) return out;
  for (const key of Object.keys(v)) {
    if (!['standard', 'wellKnown', 'large'].includes(key))
      notes.warn(at(field, key), 'is not a community list edgelb knows; dropped');
  }
  for (const [i, x] of asList(v.standard).entries()) {
    const s = standardOf(String(x));
    if (s) push(out.standard, s);
    else notes.error(at(at(field, 'standard'), i), `is not a standard community: ${JSON.stringify(x)}`);
  }
  for (const [i, x] of asList(v.wellKnown).entries()) {
    const s = WELL_KNOWN_COMMUNITIES[String(x).toLowerCase()];
    if (s) push(out.standard, s);
    else
      notes.warn(
        at(at(field, 'wellKnown'), i),
        `edgelb has no value for the well-known community ${JSON.stringify(x)}; dropped`,
      );
  }
  for (const [i, x] of asList(v.large).entries()) {
    const s = largeOf(String(x));
    if (s) push(out.large, s);
    else notes.error(at(at(field, 'large'), i), `is not a large community: ${JSON.stringify(x)}`);
  }
  return out;
}

/**
 * MetalLB's `communities: ["65000:100", "large:1:2:3", "alias"]`; aliases are resolved
 * through the Community objects in the input (name -> value).
 */
export function metallbCommunities(
  v: unknown,
  field: string,
  notes: Notes,
  aliases: Map<string, string>,
): Communities {
  const out: Communities = { standard: [], large: [] };
  for (const [i, x] of asList(v).entries()) {
    const raw = String(x).trim();
    const value = aliases.get(raw) ?? raw;
    if (value.startsWith('large:')) {
      const l = largeOf(value.slice('large:'.length));
      if (l) {
        push(out.large, l);
        continue;
      }
    } else {
      const s = standardOf(value);
      if (s) {
        push(out.standard, s);
        continue;
      }
    }
    if (!present(aliases.get(raw)) && !/^[\d:]+$/.test(raw) && !raw.startsWith('large:')) {
      notes.warn(
        at(field, i),
        `community alias ${JSON.stringify(raw)} has no Community object in the input; dropped`,
      );
    } else {
      notes.error(at(field, i), `is not a community: ${JSON.stringify(raw)}`);
    }
  }
  return out;
}

/** edgelb's advertisedPathAttributes from communities and a local preference (undefined when empty). */
export function pathAttributes(
  c: Communities,
  localPreference: number | undefined,
): { communities?: { standard?: string[]; large?: string[] }; localPreference?: number } | undefined {
  const out: { communities?: { standard?: string[]; large?: string[] }; localPreference?: number } = {};
  if (c.standard.length > 0 || c.large.length > 0) {
    out.communities = {};
    if (c.standard.length > 0) out.communities.standard = c.standard;
    if (c.large.length > 0) out.communities.large = c.large;
  }
  if (localPreference !== undefined) out.localPreference = localPreference;
  return Object.keys(out).length > 0 ? out : undefined;
}
