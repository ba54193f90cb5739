// biome-ignore-all lint/suspicious/noExplicitAny: Kubernetes objects are arbitrary JSON documents here
/**
 * ServiceAccount tokens and SelfSubjectAccessReview, as kube-apiserver does them:
 * - the token controller fills a `kubernetes.io/service-account-token` Secret (annotation
 *   `kubernetes.io/service-account.name`) with data.token, data["ca.crt"] and data.namespace,
 *   shortly after it is created and only while its ServiceAccount exists (clients poll);
 * - such a token authenticates as system:serviceaccount:NS:NAME until its Secret is deleted;
 * - POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews answers status.allowed for
 *   the caller (the cert user is system:masters; without `rbac` everything is allowed).
 */
import { randomBytes } from 'node:crypto';
import type { Api } from './objects.ts';
import { type Attributes, authorize, userInfo } from './rbac.ts';
import type { HistoryEntry } from './store.ts';

export const SA_TOKEN_TYPE = 'kubernetes.io/service-account-token';
const SA_NAME = 'kubernetes.io/service-account.name';
const SA_UID = 'kubernetes.io/service-account.uid';
/** How long after its creation the controller fills a token Secret. */
const TOKEN_CONTROLLER_DELAY_MS = 30;

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Starts the token controller; returns a function that stops it. */
export function startTokenController(api: Api, caPem: string): () => void {
  const secrets = api.registry.find('', 'v1', 'secrets')!;
  const sas = api.registry.find('', 'v1', 'serviceaccounts')!;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const fill = (ns: string, name: string) => {
    const s = api.store.get(api.key(secrets), ns, name);
    const saName = s?.metadata?.annotations?.[SA_NAME];
    if (!s || s.type !== SA_TOKEN_TYPE || !saName || s.data?.token) return;
    const sa = api.store.get(api.key(sas), ns, saName);
    if (!sa) return;
    const body = structuredClone(s);
    body.metadata.annotations[SA_UID] = sa.metadata.uid ?? '';
    body.data = {
      ...(body.data ?? {}),
      token: b64(randomBytes(24).toString('hex')),
      'ca.crt': b64(caPem),
      namespace: b64(ns),
    };
    api.update(secrets, 'v1', ns, name, body, { direct: true });
  };
  const watcher = {
    res: api.key(secrets),
    deliver(e: HistoryEntry) {
      if (e.type !== 'ADDED' || e.obj?.type !== SA_TOKEN_TYPE) return;
      const t = setTimeout(() => {
        timers.delete(t);
        fill(e.obj.metadata.namespace, e.obj.metadata.name);
      }, TOKEN_CONTROLLER_DELAY_MS);
      timers.add(t);
    },
  };
  api.store.watchers.add(watcher);
  return () => {
    api.store.watchers.delete(watcher);
    for (const t of timers) clearTimeout(t);
  };
}

/** The user a ServiceAccount token Secret's token authenticates as, or undefined. */
export function serviceAccountUser(api: Api, token: string): string | undefined {
  const secrets = api.registry.find('', 'v1', 'secrets')!;
  const want = b64(token);
  for (const s of api.store.list(api.key(secrets))) {
    if (s.type !== SA_TOKEN_TYPE || s.data?.token !== want) continue;
    return `system:serviceaccount:${s.metadata.namespace}:${s.metadata.annotations?.[SA_NAME]}`;
  }
  return undefined;
}

/** The answer to a SelfSubjectAccessReview for `user`. */
export function selfSubjectAccessReview(
  api: Api,
  user: string,
  privileged: boolean,
  rbac: boolean,
  body: any,
): any {
  const ra = body?.spec?.resourceAttributes ?? {};
  const a: Attributes = {
    verb: String(ra.verb ?? ''),
    group: String(ra.group ?? ''),
    resource: String(ra.resource ?? ''),
    subresource: ra.subresource || undefined,
    namespace: ra.namespace || undefined,
    name: ra.name || undefined,
  };
  const allowed = privileged || !rbac || authorize(api.store, userInfo(user), a);
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: body?.spec ?? {},
    status: allowed ? { allowed: true, reason: 'RBAC: allowed' } : { allowed: false },
  };
}
