// biome-ignore-all lint/suspicious/noExplicitAny: Kubernetes objects are arbitrary JSON documents here
/**
 * RBAC authorization (rbac.authorization.k8s.io/v1) for the token user when enabled:
 * ClusterRoleBindings grant everywhere, RoleBindings in their namespace; rules match on
 * apiGroups, resources (with "res/subresource"), verbs and resourceNames; "*" wildcards.
 * Discovery and OpenAPI paths are open to every authenticated user (system:discovery).
 */
import type { Store } from './store.ts';

export interface UserInfo {
  name: string;
  groups: string[];
}

export interface Attributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** The user and groups a bearer token of `name` authenticates as (ServiceAccount names get their groups). */
export function userInfo(name: string): UserInfo {
  const groups = ['system:authenticated'];
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(name);
  if (sa) groups.push('system:serviceaccounts', `system:serviceaccounts:${sa[1]}`);
  return { name, groups };
}

function subjectMatches(s: any, u: UserInfo, bindingNs?: string): boolean {
  if (s.kind === 'User') return s.name === u.name;
  if (s.kind === 'Group') return u.groups.includes(s.name);
  if (s.kind === 'ServiceAccount')
    return u.name === `system:serviceaccount:${s.namespace ?? bindingNs}:${s.name}`;
  return false;
}

function ruleAllows(rule: any, a: Attributes): boolean {
  const has = (list: string[] | undefined, v: string) => (list ?? []).some((x) => x === '*' || x === v);
  if (!has(rule.verbs, a.verb)) return false;
  if (!has(rule.apiGroups, a.group)) return false;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resources: string[] = rule.resources ?? [];
  if (!resources.some((r) => r === '*' || r === res || (a.subresource && r === `*/${a.subresource}`)))
    return false;
  const names: string[] = rule.resourceNames ?? [];
  if (names.length === 0) return true;
  return a.name !== undefined && names.includes(a.name);
}

export function authorize(store: Store, u: UserInfo, a: Attributes): boolean {
  const rulesOf = (ref: any, ns?: string): any[] => {
    if (ref?.kind === 'ClusterRole')
      return store.get('rbac.authorization.k8s.io/clusterroles', undefined, ref.name)?.rules ?? [];
    if (ref?.kind === 'Role' && ns)
      return store.get('rbac.authorization.k8s.io/roles', ns, ref.name)?.rules ?? [];
    return [];
  };
  for (const b of store.list('rbac.authorization.k8s.io/clusterrolebindings'))
    if (
      (b.subjects ?? []).some((s: any) => subjectMatches(s, u)) &&
      rulesOf(b.roleRef).some((r) => ruleAllows(r, a))
    )
      return true;
  if (a.namespace === undefined) return false;
  for (const b of store.list('rbac.authorization.k8s.io/rolebindings', a.namespace))
    if (
      (b.subjects ?? []).some((s: any) => subjectMatches(s, u, a.namespace)) &&
      rulesOf(b.roleRef, a.namespace).some((r) => ruleAllows(r, a))
    )
      return true;
  return false;
}
