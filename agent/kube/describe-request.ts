/**
 * PURE. Names a request the way RBAC does ("list services", "watch leases.coordination.k8s.io")
 * from its method, path and query, for error messages and the RBAC hint.
 */

/** A request's query parameters (undefined ones are left out). */
export type RequestQuery = Record<string, string | number | boolean | undefined>;

/** "list services", "update leases"... from a method and path, for messages about RBAC. */
export function describeRequest(
  method: string,
  path: string,
  query?: RequestQuery,
): {
  verb: string;
  resource: string;
} {
  const clean = path.split('?')[0] ?? path;
  const parts = clean.split('/').filter(Boolean);
  // /api/v1/... or /apis/group/version/...
  const rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  const group = parts[0] === 'apis' ? (parts[1] ?? '') : '';
  if (rest[0] === 'namespaces' && rest.length >= 3) rest.splice(0, 2);
  const resource = rest[0] ?? '';
  const named = rest.length >= 2;
  const sub = rest[2] ? `/${rest[2]}` : '';
  const m = method.toUpperCase();
  let verb = 'get';
  if (m === 'GET') verb = query?.watch ? 'watch' : named ? 'get' : 'list';
  else if (m === 'POST') verb = 'create';
  else if (m === 'PUT') verb = 'update';
  else if (m === 'PATCH') verb = 'patch';
  else if (m === 'DELETE') verb = 'delete';
  return { verb, resource: `${resource}${sub}${group ? `.${group}` : ''}` };
}
