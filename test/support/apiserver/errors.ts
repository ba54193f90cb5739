/** Kubernetes `Status` error objects, shaped like kube-apiserver's (k8s.io/apimachinery/pkg/api/errors). */

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return statusObject(this.code, this.reason, this.message, this.details);
  }
}

export function statusObject(code: number, reason: string, message: string, details?: StatusDetails) {
  const s: Record<string, unknown> = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: code >= 200 && code < 300 ? 'Success' : 'Failure',
    message,
    reason,
    code,
  };
  if (details) s.details = details;
  return s;
}

/** "services" or "loadbalancerippools.edgelb.io" as the real server names resources in messages. */
export function qualified(plural: string, group: string): string {
  return group ? `${plural}.${group}` : plural;
}

export const errors = {
  notFound: (plural: string, group: string, name: string) =>
    new ApiError(404, 'NotFound', `${qualified(plural, group)} "${name}" not found`, {
      name,
      group,
      kind: plural,
    }),
  alreadyExists: (plural: string, group: string, name: string) =>
    new ApiError(409, 'AlreadyExists', `${qualified(plural, group)} "${name}" already exists`, {
      name,
      group,
      kind: plural,
    }),
  conflict: (plural: string, group: string, name: string, why?: string) =>
    new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(plural, group)} "${name}": ${
        why ?? 'the object has been modified; please apply your changes to the latest version and try again'
      }`,
      { name, group, kind: plural },
    ),
  badRequest: (message: string) => new ApiError(400, 'BadRequest', message),
  invalid: (kind: string, group: string, name: string, causes: { field: string; message: string }[]) =>
    new ApiError(
      422,
      'Invalid',
      `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
      { name, group, kind, causes: causes.map((c) => ({ reason: 'FieldValueInvalid', ...c })) },
    ),
  unknownResource: () =>
    new ApiError(404, 'NotFound', 'the server could not find the requested resource', {
      causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }],
    }),
  methodNotAllowed: (method: string) =>
    new ApiError(
      405,
      'MethodNotAllowed',
      `the server does not allow this method on the requested resource (${method})`,
    ),
  unsupportedMediaType: (type: string, accepted: string[]) =>
    new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')} (got ${type})`,
    ),
  expired: (message: string) => new ApiError(410, 'Expired', message),
  unauthorized: () => new ApiError(401, 'Unauthorized', 'Unauthorized'),
  /** The RBAC denial message, e.g. `services "web" is forbidden: User "u" cannot patch resource "services/status" in API group "" in the namespace "default"`. */
  forbidden: (
    user: string,
    a: {
      verb: string;
      resource: string;
      group: string;
      namespace?: string;
      name?: string;
      subresource?: string;
    },
  ) =>
    new ApiError(
      403,
      'Forbidden',
      `${qualified(a.resource, a.group)}${a.name ? ` "${a.name}"` : ''} is forbidden: User "${user}" cannot ${a.verb} resource "${
        a.subresource ? `${a.resource}/${a.subresource}` : a.resource
      }" in API group "${a.group}" ${a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope'}`,
      { name: a.name, group: a.group, kind: a.resource },
    ),
  internal: (message: string) => new ApiError(500, 'InternalError', `Internal error occurred: ${message}`),
};

/** The reason the real server uses for a given HTTP code (used by fault injection). */
export function reasonFor(code: number): string {
  const m: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    405: 'MethodNotAllowed',
    409: 'Conflict',
    410: 'Expired',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  return m[code] ?? 'Unknown';
}
