/** Builders for IPAM tests: terse pools and Services with deterministic creation order. */
import type { FailureReason, PoolSpec, ServiceResult, ServiceView } from '../../agent/ipam/types.ts';

let clock = 0;
const stamp = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString();

/** Blocks: "10.0.0.0/30" or "10.0.0.5-10.0.0.9". */
export function pool(name: string, blocks: string[], opts: Partial<PoolSpec> = {}): PoolSpec {
  return {
    name,
    creationOrder: stamp(clock++),
    blocks: blocks.map((b) => {
      const dash = b.indexOf('-');
      return dash > 0 ? { start: b.slice(0, dash), stop: b.slice(dash + 1) } : { cidr: b };
    }),
    disabled: false,
    allowFirstLastIPs: false,
    autoAssign: true,
    ...opts,
  };
}

export function svc(
  key: string,
  opts: Partial<Omit<ServiceView, 'key' | 'namespace' | 'name'>> = {},
): ServiceView {
  const [namespace = 'default', name = key] = key.includes('/') ? key.split('/') : ['default', key];
  return {
    key: `${namespace}/${name}`,
    namespace,
    name,
    labels: {},
    annotations: {},
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    ports: [{ port: 80, protocol: 'TCP' }],
    externalTrafficPolicy: 'Cluster',
    podSelector: { app: name },
    creationOrder: stamp(clock++),
    statusIPs: [],
    ...opts,
  };
}

/** What a test expects of a Service: its IPs, or the reason it has none. */
export type Want = string[] | FailureReason;

export function summary(r: ServiceResult | undefined): string[] | string {
  if (!r) return 'absent';
  return r.ok ? r.ips : r.reason;
}
