/** The RBAC L2 mode needs: heartbeat Leases listed and watched, each node's own renewed by name. */
import { describe, expect, test } from 'bun:test';
import { renderManifests } from '../../agent/cli/manifests.ts';
import { rbac } from '../../agent/kube/manifests.ts';
import { heartbeatLeaseName } from '../../agent/l2/heartbeat-lease.ts';

type Rule = { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] };
const roleRules = (o: Parameters<typeof rbac>[0]): Rule[] =>
  (rbac(o).find((d) => d.kind === 'Role') as unknown as { rules: Rule[] }).rules;
const leaseRules = (rules: Rule[]) => rules.filter((r) => r.resources.includes('leases'));

describe('RBAC for L2 mode', () => {
  test('every node may list and watch the Leases of the namespace (the heartbeat informer)', () => {
    expect(leaseRules(roleRules({ namespace: 'edgelb', leaseName: 'edgelb' }))).toContainEqual({
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      verbs: ['list', 'watch'],
    });
  });
  test('--l2-nodes: get/update on exactly those heartbeat Leases', () => {
    const rules = leaseRules(
      roleRules({ namespace: 'edgelb', leaseName: 'edgelb', l2Nodes: ['pi4', 'worker'] }),
    );
    expect(rules).toContainEqual({
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      resourceNames: [heartbeatLeaseName('pi4'), heartbeatLeaseName('worker')],
      verbs: ['get', 'update', 'patch'],
    });
    // update is never granted without a name unless asked for with "*"
    for (const r of rules) if (r.verbs.includes('update')) expect(r.resourceNames?.length).toBeGreaterThan(0);
  });
  test('"*": every Lease of a namespace of edgelb\u2019s own', () => {
    const rules = leaseRules(roleRules({ namespace: 'edgelb', leaseName: 'edgelb', l2Nodes: ['*'] }));
    expect(rules).toContainEqual({
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      verbs: ['get', 'update', 'patch'],
    });
  });
  test('the printed manifests say how to enable L2 when no node is named', () => {
    const text = renderManifests({ namespace: 'kube-system', leaseName: 'edgelb', secretNames: [] });
    expect(text).toContain('--l2-nodes');
    expect(
      renderManifests({ namespace: 'x', leaseName: 'e', secretNames: [], l2Nodes: ['a'] }),
    ).not.toContain('rerun with --l2-nodes');
  });
});
