/**
 * ADAPTER. The errors the Kubernetes transport throws (an HTTP error answer, no answer, a 2xx
 * body edgelb will not use) and the body size bounds behind the "too large" one.
 */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    /** The Status reason (NotFound, Conflict, Expired, Forbidden...) or "" */
    readonly reason: string,
    message: string,
    readonly verb: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

/** The connection failed or timed out (no HTTP answer). */
export class KubeTransportError extends Error {
  readonly code: 'timeout' | 'network' | 'aborted';
  constructor(code: 'timeout' | 'network' | 'aborted', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KubeTransportError';
    this.code = code;
  }
}

/**
 * The largest response body read (64 MiB): a list of 10,000 Services is about 30 MiB with
 * managedFields. Anything larger is cut off rather than buffered without end.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** The largest watch event line (16 MiB): the API server refuses objects over about 1.5 MiB. */
export const MAX_WATCH_LINE_BYTES = 16 * 1024 * 1024;

/** The server answered 2xx with a body edgelb will not use: too large or not JSON. */
export class KubeResponseError extends Error {
  constructor(
    readonly code: 'too-large' | 'malformed',
    message: string,
  ) {
    super(message);
    this.name = 'KubeResponseError';
  }
}
