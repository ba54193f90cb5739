/**
 * PURE. The access edgelb needs, as SelfSubjectAccessReview resourceAttributes: one per verb
 * and resource of its ClusterRole and Role (so the check and the manifests cannot drift).
 */

export interface RbacRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs?: string[];
}

export interface AccessCheck {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** One check per (verb, resource) of the rules; namespace for a Role's rules. */
export function accessChecks(roles: { namespace?: string; rules: RbacRule[] }[]): AccessCheck[] {
  const out: AccessCheck[] = [];
  for (const role of roles)
    for (const r of role.rules)
      for (const group of r.apiGroups ?? [])
        for (const res of r.resources ?? [])
          for (const verb of r.verbs ?? []) {
            const [resource, subresource] = res.split('/') as [string, string | undefined];
            const names = r.resourceNames?.length ? r.resourceNames : [undefined];
            for (const name of names)
              out.push({ verb, group, resource, subresource, namespace: role.namespace, name });
          }
  return out;
}

/** "update services/status", "get leases.coordination.k8s.io edgelb in kube-system". */
export function describeCheck(c: AccessCheck): string {
  const res = `${c.resource}${c.subresource ? `/${c.subresource}` : ''}${c.group ? `.${c.group}` : ''}`;
  return `${c.verb} ${res}${c.name ? ` ${c.name}` : ''}${c.namespace ? ` in ${c.namespace}` : ''}`;
}
