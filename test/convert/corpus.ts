/**
 * The converter corpus (test/convert/corpus/<case>/): a realistic incumbent input, the
 * cluster's Services and Namespaces, and the table of routes the incumbent's documentation
 * says it announces. Loads a case, converts it, and computes the routes the converted objects
 * make edgelb announce (IPAM + announce plan, no network), in the table's shape.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NamespaceObject, ServiceObject } from '../../agent/api/core.ts';
import type { BGPPeeringPolicy, LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import { validateNamespace, validateService } from '../../agent/api/validate/resources.ts';
import { parseManifests } from '../../agent/cli/convert.ts';
import { type ConvertResult, convertManifests } from '../../agent/convert/convert.ts';
import { Ipam } from '../../agent/ipam/ipam.ts';
import { planAnnouncements } from '../../agent/reconcile/plan/announce.ts';
import { poolSpecIn, serviceView } from '../../agent/reconcile/plan/to-domain.ts';
import { validObjects } from '../../agent/reconcile/plan/valid-objects.ts';

export const CORPUS = join(import.meta.dir, 'corpus');

export interface Row {
  peer: string;
  prefix: string;
  /** Sorted, "a:b". */
  communities: string[];
  /** Sorted, "a:b:c". */
  large: string[];
  med: number | undefined;
  /** ASNs separated by spaces ("" on iBGP). */
  asPath: string;
}

export interface Case {
  name: string;
  dir: string;
  input: string;
  services: string;
  expected: Row[];
}

export function cases(): string[] {
  return readdirSync(CORPUS).sort();
}

const list = (s: string) => (s === '-' ? [] : s.split(',').sort());

export function parseTable(text: string): Row[] {
  const rows: Row[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [peer, prefix, c, l, med, ...path] = line.trim().split(/\s+/);
    rows.push({
      peer: peer!,
      prefix: prefix!,
      communities: list(c!),
      large: list(l!),
      med: med === '-' ? undefined : Number(med),
      asPath: path.join(' '),
    });
  }
  return sortRows(rows);
}

export function sortRows(rows: Row[]): Row[] {
  return rows.sort((a, b) => `${a.peer} ${a.prefix}`.localeCompare(`${b.peer} ${b.prefix}`));
}

export function loadCase(name: string): Case {
  const dir = join(CORPUS, name);
  return {
    name,
    dir,
    input: readFileSync(join(dir, 'input.yaml'), 'utf8'),
    services: readFileSync(join(dir, 'services.yaml'), 'utf8'),
    expected: parseTable(readFileSync(join(dir, 'expected.table'), 'utf8')),
  };
}

export function convertCase(c: Case): ConvertResult {
  return convertManifests(parseManifests(c.input, `${c.name}/input.yaml`));
}

/** The routes the converted objects make a node (no labels) announce for the case's Services. */
export function plannedRows(c: Case, objects: ConvertResult['objects']): Row[] {
  const docs = parseManifests(c.services, `${c.name}/services.yaml`) as Record<string, unknown>[];
  const namespaces: NamespaceObject[] = [];
  const services: ServiceObject[] = [];
  for (const d of docs) {
    const v =
      d.kind === 'Namespace' ? validateNamespace(d) : validateService(d, { defaultNamespace: 'default' });
    if (!v.ok) throw new Error(`${c.name}/services.yaml: ${JSON.stringify(v.problems)}`);
    if (d.kind === 'Namespace') namespaces.push(v.value as NamespaceObject);
    else services.push(v.value as ServiceObject);
  }
  const valid = validObjects({
    pools: objects.filter((o): o is LoadBalancerIPPool => o.kind === 'LoadBalancerIPPool'),
    policies: objects.filter((o): o is BGPPeeringPolicy => o.kind === 'BGPPeeringPolicy'),
  });
  const ipam = new Ipam();
  const results = ipam.restore(
    valid.pools.map((p) => poolSpecIn(p, namespaces)),
    services.map(serviceView),
  );
  const ips = new Map(results.map((r) => [r.key, r.ok ? r.ips : []]));
  const withStatus = services.map((s) => ({
    ...s,
    status: {
      loadBalancer: {
        ingress: (ips.get(`${s.metadata.namespace}/${s.metadata.name}`) ?? []).map((ip) => ({ ip })),
      },
    },
  }));
  const plan = planAnnouncements({
    nodeName: 'worker',
    nodeLabels: {},
    policies: valid.policies,
    services: withStatus,
    endpointSlices: [],
    secrets: new Map(),
    defaultSecretNamespace: 'kube-system',
    pools: valid.pools,
  });
  const rows: Row[] = [];
  for (const peer of plan.peers) {
    for (const prefix of plan.advertisements.get(peer.id) ?? []) {
      const own = plan.attributes.get(peer.id)?.get(prefix) ?? {};
      const prepend = own.asPathPrepend ?? peer.asPathPrepend ?? 0;
      const ebgp = peer.localASN !== peer.peerASN;
      rows.push({
        peer: peer.id,
        prefix,
        communities: [...new Set([...peer.communities, ...(own.communities ?? [])])].sort(),
        large: [...new Set([...peer.largeCommunities, ...(own.largeCommunities ?? [])])].sort(),
        med: own.med ?? peer.med,
        asPath: ebgp
          ? Array(1 + prepend)
              .fill(String(peer.localASN))
              .join(' ')
          : '',
      });
    }
  }
  return sortRows(rows);
}
