/**
 * PURE. The control socket's protocol: one JSON object per line each way, one request per
 * connection. Only `edgelb drain`, `undrain` and `maintenance` (the state, read-only) exist:
 * the socket changes this node's announcements, so it is reachable only by root and the
 * service's group (server.ts), never over HTTP.
 */

export type ControlRequest =
  | { command: 'drain'; settleSeconds?: number; timeoutSeconds?: number }
  | { command: 'undrain' }
  | { command: 'maintenance' };

/** Stable codes a caller (and the tests) can rely on. */
export type ControlErrorCode = 'BadRequest' | 'Busy' | 'StateNotSaved' | 'NotAcknowledged' | 'Stopping';

export type ControlResponse =
  | { ok: true; message: string; state: MaintenanceView }
  | { ok: false; code: ControlErrorCode; message: string; state?: MaintenanceView };

/** What the node's maintenance state is, as /status and the CLI show it. */
export interface MaintenanceView {
  /** `edgelb drain` in effect (kept across restarts until `undrain`). */
  drained: boolean;
  /** Every node-level reason to announce nothing now (NodeDrained, NodeExcluded, NodeCordoned, NodeShuttingDown). */
  reasons: { reason: string; message: string }[];
}

/** Longest request line accepted (a request is a few dozen bytes). */
export const MAX_REQUEST_BYTES = 4096;

function num(v: unknown, min: number, max: number): number | undefined | false {
  if (v === undefined) return undefined;
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : false;
}

/** One request line to a request, or why it is not one. */
export function parseRequest(
  line: string,
): { ok: true; value: ControlRequest } | { ok: false; message: string } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { ok: false, message: 'the request is not JSON' };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return { ok: false, message: 'the request must be an object' };
  const o = v as Record<string, unknown>;
  switch (o.command) {
    case 'undrain':
    case 'maintenance':
      return { ok: true, value: { command: o.command } };
    case 'drain': {
      const settle = num(o.settleSeconds, 0, 60);
      const timeout = num(o.timeoutSeconds, 0.1, 600);
      if (settle === false) return { ok: false, message: 'settleSeconds must be a number 0..60' };
      if (timeout === false) return { ok: false, message: 'timeoutSeconds must be a number 0.1..600' };
      return {
        ok: true,
        value: {
          command: 'drain',
          ...(settle !== undefined ? { settleSeconds: settle } : {}),
          ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
        },
      };
    }
    default:
      return {
        ok: false,
        message: `unknown command ${JSON.stringify(o.command)} (drain, undrain, maintenance)`,
      };
  }
}

/** A response line from the agent, or undefined when it is not one. */
export function parseResponse(line: string): ControlResponse | undefined {
  try {
    const v = JSON.parse(line) as ControlResponse;
    return typeof v === 'object' && v !== null && typeof v.ok === 'boolean' && typeof v.message === 'string'
      ? v
      : undefined;
  } catch {
    return undefined;
  }
}
