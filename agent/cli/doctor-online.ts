/**
 * `edgelb doctor --online` in kubernetes mode: the API server and the credentials, RBAC (one
 * SelfSubjectAccessReview per permission of edgelb's ClusterRole and Role), the Node, and
 * the pools and policies in the cluster (validated as the agent validates them).
 */
import { GROUP, PLURALS, VERSION } from '../api/v1alpha1.ts';
import type { Config } from '../config/schema.ts';
import { accessChecks, describeCheck, type RbacRule } from '../doctor/access.ts';
import { error, type Finding, ok } from '../doctor/findings.ts';
import { type Objects, takeListed } from '../doctor/objects.ts';
import type { KubeEndpoint } from '../kube/kubeconfig.ts';
import { rbac } from '../kube/manifests.ts';
import { KubeApiError, KubeClient } from '../kube/transport.ts';
import { errorMessage } from '../lib/errors.ts';
import { createLogger } from '../lib/log.ts';

const API_TIMEOUT_MS = 10_000;

const apiWhy = (e: unknown) =>
  e instanceof KubeApiError && e.status === 401
    ? 'the API server does not accept these credentials (401): the token or certificate is wrong or revoked'
    : errorMessage(e);

export async function onlineKubernetes(
  cfg: Config,
  endpoint: KubeEndpoint,
  nodeName: string,
  into: Objects,
): Promise<{ findings: Finding[]; labels?: Record<string, string> }> {
  const client = new KubeClient(endpoint, {
    log: createLogger({ level: 'error', format: 'text', write: () => {} }),
    timeoutMs: API_TIMEOUT_MS,
  });
  const out: Finding[] = [];
  try {
    const v = await client.request<{ gitVersion?: string }>('GET', '/version');
    await client.request('GET', '/api');
    out.push(
      ok(
        'api server',
        `${endpoint.server} answers (${v?.gitVersion ?? 'version unknown'}) and accepts the credentials`,
      ),
    );
  } catch (e) {
    out.push(error('api server', `${endpoint.server}: ${apiWhy(e)}`));
    return { findings: out };
  }
  const { namespace, leaseName } = cfg.kubernetes.leaderElection;
  const roles = rbac({ namespace, leaseName }).filter(
    (m) => m.kind === 'ClusterRole' || m.kind === 'Role',
  ) as {
    metadata: { namespace?: string };
    rules: RbacRule[];
  }[];
  const checks = accessChecks(roles.map((r) => ({ namespace: r.metadata.namespace, rules: r.rules })));
  const denied: string[] = [];
  for (const c of checks) {
    try {
      const r = await client.request<{ status?: { allowed?: boolean } }>(
        'POST',
        '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
        {
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: c },
          },
        },
      );
      if (!r?.status?.allowed) denied.push(describeCheck(c));
    } catch (e) {
      out.push(error('rbac', `SelfSubjectAccessReview failed: ${errorMessage(e)}`));
      break;
    }
  }
  if (denied.length)
    out.push(error('rbac', `denied: ${denied.join(', ')}; apply: edgelb manifests | kubectl apply -f -`));
  else if (!out.some((f) => f.subject === 'rbac'))
    out.push(ok('rbac', `all ${checks.length} permissions edgelb uses are granted`));

  let labels: Record<string, string> | undefined;
  try {
    const node = await client.request<{ metadata?: { labels?: Record<string, string> } }>(
      'GET',
      `/api/v1/nodes/${encodeURIComponent(nodeName)}`,
    );
    labels = node?.metadata?.labels ?? {};
    out.push(ok('node', `Node ${nodeName} exists`));
  } catch (e) {
    out.push(
      e instanceof KubeApiError && e.status === 404
        ? error(
            'node',
            `no Node named "${nodeName}": set nodeName in the config to this machine's Kubernetes Node name`,
          )
        : error('node', `Node ${nodeName}: ${errorMessage(e)}`),
    );
  }
  for (const kind of ['LoadBalancerIPPool', 'L2AnnouncementPolicy', 'BGPPeeringPolicy'] as const) {
    try {
      const list = await client.request<{ items?: unknown[] }>(
        'GET',
        `/apis/${GROUP}/${VERSION}/${PLURALS[kind]}`,
      );
      out.push(...takeListed(kind, list?.items ?? [], into));
    } catch (e) {
      out.push(
        e instanceof KubeApiError && e.status === 404
          ? error(
              'crds',
              `${kind} is not served: install the CRDs with: edgelb manifests | kubectl apply -f -`,
            )
          : error('crds', `list ${PLURALS[kind]}: ${errorMessage(e)}`),
      );
    }
  }
  return { findings: out, labels };
}
