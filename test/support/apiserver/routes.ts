/** Parses a Kubernetes API path into group/version/namespace/resource/name/subresource. */
import type { Registry } from './registry.ts';
import type { ResourceDef } from './resources.ts';

export interface Route {
  def: ResourceDef;
  group: string;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** the deprecated /watch/ path prefix */
  watchPrefix: boolean;
}

/** undefined: not a resource path; 'unknown': resource path naming nothing served. */
export function parseRoute(pathname: string, reg: Registry): Route | 'unknown' | undefined {
  const segs = pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    group = '';
    version = segs[1]!;
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1]!;
    version = segs[2]!;
    rest = segs.slice(3);
  } else return undefined;
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    group + rest[2] !== 'status' &&
    group + rest[2] !== 'finalize'
  ) {
    const inner = reg.find(group, version, rest[2]!);
    if (inner?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    } else if (inner) return 'unknown';
  }
  if (rest.length === 0 || rest.length > 3) return 'unknown';
  const def = reg.find(group, version, rest[0]!);
  if (!def) return 'unknown';
  const sub = rest[2];
  if (
    sub !== undefined &&
    !((sub === 'status' && def.statusSubresource) || (sub === 'finalize' && def.plural === 'namespaces'))
  )
    return 'unknown';
  return { def, group, version, namespace, name: rest[1], subresource: sub, watchPrefix };
}
