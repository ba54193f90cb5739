/**
 * SHELL. The CLI's side of the control socket: one request, one response, with the errors a
 * user can act on in one sentence (no agent, no permission).
 */
import net from 'node:net';
import { type ControlRequest, type ControlResponse, parseResponse } from './protocol.ts';

export type ClientResult = { ok: true; response: ControlResponse } | { ok: false; message: string };

function connectError(path: string, err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied on the control socket ${path}: only root and members of the edgelb group may drain this node (run with sudo, or add the user to the edgelb group)`;
    case 'ENOENT':
      return `no control socket at ${path}: is the edgelb agent running on this node? (systemctl status edgelb; see control.socket in the config)`;
    case 'ECONNREFUSED':
      return `the control socket ${path} refuses connections: the edgelb agent is not running (a stale socket)`;
    default:
      return `cannot reach the agent on ${path}: ${err.code ?? err.message}`;
  }
}

/** Sends one request; waits up to timeoutMs for the answer. */
export function request(path: string, req: ControlRequest, timeoutMs: number): Promise<ClientResult> {
  return new Promise((resolve) => {
    let buf = '';
    let done = false;
    const finish = (r: ClientResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const sock = net.connect({ path });
    const timer = setTimeout(
      () =>
        finish({ ok: false, message: `the agent did not answer on ${path} within ${timeoutMs / 1000} s` }),
      timeoutMs,
    );
    sock.once('connect', () => sock.write(`${JSON.stringify(req)}\n`));
    sock.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const r = parseResponse(buf.slice(0, nl));
      finish(
        r
          ? { ok: true, response: r }
          : { ok: false, message: `the agent sent an unreadable answer on ${path}` },
      );
    });
    sock.once('error', (err: NodeJS.ErrnoException) =>
      finish({ ok: false, message: connectError(path, err) }),
    );
    sock.once('close', () => finish({ ok: false, message: `the agent closed ${path} without answering` }));
  });
}
