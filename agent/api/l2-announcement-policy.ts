/**
 * PURE. L2AnnouncementPolicy (answer ARP/NDP for Service IPs on a flat LAN): its
 * TypeScript type and its one definition, from which the validator and the CRD schema
 * are derived.
 */
import { custom, objectName } from './schema/field.ts';
import { list, object } from './schema/object.ts';
import { resource } from './schema/resource.ts';
import { conditions, labelSelector } from './shared-fields.ts';
import type { API_VERSION, Condition, LabelSelector, ObjectMeta } from './v1alpha1.ts';
import { type Problem, str } from './validate/fields.ts';

export interface L2AnnouncementPolicy {
  apiVersion: typeof API_VERSION;
  kind: 'L2AnnouncementPolicy';
  metadata: ObjectMeta;
  spec: {
    nodeSelector?: LabelSelector;
    serviceSelector?: LabelSelector;
    pools?: string[];
    interfaces?: string[];
  };
  status?: { conditions?: Condition[] };
}

/** An interface-name pattern: must compile as a (JavaScript) regular expression. */
function interfacePattern(v: unknown, path: string, out: Problem[]): string | undefined {
  const s = str(v, path, out, { nonEmpty: true });
  if (s === undefined) return undefined;
  try {
    new RegExp(s);
    return s;
  } catch (err) {
    const why = (err as Error).message.replace(/^Invalid regular expression: (\/.*\/[a-z]*: )?/, '');
    out.push({ path, message: `must be a regular expression: ${why}` });
    return undefined;
  }
}

export const l2PolicyResource = resource<L2AnnouncementPolicy>({
  kind: 'L2AnnouncementPolicy',
  description:
    'Which nodes answer ARP (IPv4) and NDP (IPv6) for which Service IPs, on which interfaces: one node per IP at a time.',
  spec: object<L2AnnouncementPolicy['spec']>(
    'Nodes, Services, pools and interfaces; an absent field selects everything.',
    {
      nodeSelector: labelSelector('Nodes that may answer for the IPs; absent = every node.'),
      serviceSelector: labelSelector(
        'Services whose IPs are announced; absent = every Service. The pseudo-labels io.kubernetes.service.namespace and io.kubernetes.service.name match too.',
      ),
      pools: list(
        'Names of LoadBalancerIPPools whose IPs are announced; absent = every pool.',
        objectName('A LoadBalancerIPPool name.'),
        { dedupe: true },
      ),
      interfaces: list(
        'Regular expressions over interface names (e.g. ^eth[0-9]+$); absent = the interface whose on-link subnet holds the IP.',
        custom<string>(
          'A regular expression matched against interface names.',
          { type: 'string', minLength: 1 },
          interfacePattern,
        ),
      ),
    },
    { defaultEmpty: true },
  ),
  status: object<NonNullable<L2AnnouncementPolicy['status']>>('What edgelb observed about the policy.', {
    conditions,
  }),
});
