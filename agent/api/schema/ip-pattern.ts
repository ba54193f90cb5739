/**
 * PURE. Strict IPv4 and IPv6 address patterns for the CRD schemas: the API server refuses
 * `1.2.3` or `1.2.3.256` before the agent sees it. RE2 syntax (no look-around), as the
 * Kubernetes API server evaluates `pattern` with Go's regexp.
 */
const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const V4 = `(${OCTET}\\.){3}${OCTET}`;
const H = '[0-9a-fA-F]{1,4}';

/** RFC 4291 §2.2 text forms: full, every "::" compression, and the IPv4-suffixed ones. */
const V6 = [
  `(${H}:){7}${H}`,
  `(${H}:){1,7}:`,
  `(${H}:){1,6}:${H}`,
  `(${H}:){1,5}(:${H}){1,2}`,
  `(${H}:){1,4}(:${H}){1,3}`,
  `(${H}:){1,3}(:${H}){1,4}`,
  `(${H}:){1,2}(:${H}){1,5}`,
  `${H}:(:${H}){1,6}`,
  `:(:${H}){1,7}`,
  '::',
  `(${H}:){6}${V4}`,
  `(${H}:){0,5}:${V4}`,
  `::(${H}:){0,5}${V4}`,
  `(${H}:){1,4}:(${H}:){0,3}${V4}`,
].join('|');

export const IPV4_SOURCE = V4;
export const IPV6_SOURCE = `(${V6})`;
/** One IPv4 or IPv6 address, anchored. */
export const IP_ADDRESS_PATTERN = `^(${V4}|${V6})$`;
/** One address, optionally as a host prefix (/32 for IPv4, /128 for IPv6), anchored. */
export const HOST_ADDRESS_PATTERN = `^(${V4}(/32)?|(${V6})(/128)?)$`;
