/**
 * PURE. The field checks of the node configuration: one Check per kind of value (strings,
 * bounded integers and seconds, IPs, CIDRs, address:port, labels), and the walk of a nested
 * Shape that reports every problem at once with its field path. config/schema.ts holds the shape.
 */

import { didYouMean } from '../lib/suggest.ts';
import { parseCidr, parseIP } from '../net/ip.ts';

export interface Problem {
  path: string;
  message: string;
}

/** Checks one value: returns what to keep, or pushes a problem (and returns undefined). */
export type Check = (value: unknown, path: string, problems: Problem[]) => unknown;

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

export const str =
  (opts: { nonEmpty?: boolean } = {}): Check =>
  (v, path, problems) => {
    if (typeof v !== 'string')
      return void problems.push({ path, message: `must be a string, got ${show(v)}` });
    if (opts.nonEmpty && v === '') return void problems.push({ path, message: 'must not be empty' });
    return v;
  };

export const int =
  (min: number, max: number): Check =>
  (v, path, problems) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      return void problems.push({ path, message: `must be an integer ${min}..${max}, got ${show(v)}` });
    }
    return v;
  };

/** A number of seconds that may be fractional (0.5). */
export const seconds =
  (min: number, max: number): Check =>
  (v, path, problems) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      return void problems.push({
        path,
        message: `must be a number of seconds ${min}..${max}, got ${show(v)}`,
      });
    }
    return v;
  };

export const bool: Check = (v, path, problems) => {
  if (typeof v !== 'boolean')
    return void problems.push({ path, message: `must be true or false, got ${show(v)}` });
  return v;
};

export const oneOf =
  (...allowed: string[]): Check =>
  (v, path, problems) => {
    if (typeof v !== 'string' || !allowed.includes(v)) {
      return void problems.push({ path, message: `must be one of ${allowed.join(', ')}, got ${show(v)}` });
    }
    return v;
  };

export const ipv4OrEmpty: Check = (v, path, problems) => {
  if (typeof v !== 'string') return void problems.push({ path, message: `must be a string, got ${show(v)}` });
  if (v === '') return v;
  const r = parseIP(v);
  if (!r.ok || r.value.family !== 4) {
    return void problems.push({
      path,
      message: `must be an IPv4 address (a BGP identifier), got ${show(v)}`,
    });
  }
  return v;
};

export const cidrOrEmpty: Check = (v, path, problems) => {
  if (typeof v !== 'string')
    return void problems.push({ path, message: `must be a CIDR string, got ${show(v)}` });
  if (v === '') return v;
  const r = parseCidr(v);
  if (!r.ok)
    return void problems.push({ path, message: `must be a CIDR such as 192.168.2.0/24: ${r.error}` });
  return v;
};

/** A list of CIDRs, at most one per address family. */
export const cidrPerFamily: Check = (v, path, problems) => {
  if (!Array.isArray(v))
    return void problems.push({ path, message: `must be a list of CIDRs, got ${show(v)}` });
  const seen = new Map<number, string>();
  const before = problems.length;
  for (const [i, c] of v.entries()) {
    const p = `${path}[${i}]`;
    const r = typeof c === 'string' ? parseCidr(c) : undefined;
    if (!r?.ok) {
      problems.push({
        path: p,
        message: `must be a CIDR such as 192.168.2.0/24: ${r ? r.error : `got ${show(c)}`}`,
      });
      continue;
    }
    const other = seen.get(r.value.family);
    if (other)
      problems.push({
        path: p,
        message: `at most one CIDR per address family: ${other} and ${c} are both IPv${r.value.family}`,
      });
    seen.set(r.value.family, c);
  }
  return problems.length === before ? [...v] : undefined;
};

export const hostPort: Check = (v, path, problems) => {
  if (typeof v !== 'string')
    return void problems.push({ path, message: `must be "address:port", got ${show(v)}` });
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(v) ?? /^([^:]+):(\d+)$/.exec(v);
  const ip = m ? parseIP(m[1]!) : undefined;
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || !ip?.ok || !(port >= 0 && port <= 65535)) {
    return void problems.push({
      path,
      message: `must be "address:port" with an IP address and a port 0..65535, got ${show(v)}`,
    });
  }
  return v;
};

export const labels: Check = (v, path, problems) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return void problems.push({
      path,
      message: `must be a mapping of label names to strings, got ${show(v)}`,
    });
  }
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string')
      problems.push({ path: `${path}.${k}`, message: `must be a string, got ${show(val)}` });
  }
  return v;
};

export const strings: Check = (v, path, problems) => {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    return void problems.push({ path, message: `must be a list of strings, got ${show(v)}` });
  return [...v];
};

export type Shape = { [key: string]: Check | Shape };

export function checkShape(
  shape: Shape,
  v: unknown,
  path: string,
  problems: Problem[],
  into: Record<string, unknown>,
): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    problems.push({ path: path || '(top level)', message: `must be a mapping, got ${show(v)}` });
    return;
  }
  const known = Object.keys(shape);
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    const p = path ? `${path}.${k}` : k;
    const rule = shape[k];
    if (rule === undefined) {
      const hint = didYouMean(k, known);
      problems.push({ path: p, message: `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}` });
      continue;
    }
    if (val === null || val === undefined) continue; // an empty YAML value keeps the default
    if (typeof rule === 'function') {
      const before = problems.length;
      const out = rule(val, p, problems);
      if (problems.length === before) into[k] = out;
    } else {
      checkShape(rule, val, p, problems, into[k] as Record<string, unknown>);
    }
  }
}
