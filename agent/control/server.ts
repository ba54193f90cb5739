/**
 * SHELL. The control socket `edgelb drain`/`undrain` talk to: a unix stream socket, mode 0660,
 * group `edgelb` when the agent runs as root and the group exists (under the unit the agent runs
 * as user and group edgelb, so the socket is edgelb:edgelb in /run/edgelb, the unit's
 * RuntimeDirectory). Only root and members of that group can connect; the HTTP endpoint stays
 * read-only. One request per connection, answered when the handler is done.
 */
import { chmodSync, chownSync, existsSync, lstatSync, readFileSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { UserError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { type ControlRequest, type ControlResponse, MAX_REQUEST_BYTES, parseRequest } from './protocol.ts';

export const SOCKET_MODE = 0o660;
export const SOCKET_GROUP = 'edgelb';

export interface ControlServerOptions {
  path: string;
  handle(req: ControlRequest): Promise<ControlResponse>;
  /** The group to give the socket when running as root (default edgelb; absent group: root's). */
  group?: string;
}

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

/** The gid of a group from /etc/group, or undefined. */
export function groupId(name: string, groupFile = '/etc/group'): number | undefined {
  try {
    for (const line of readFileSync(groupFile, 'utf8').split('\n')) {
      const [n, , gid] = line.split(':');
      if (n === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
    }
  } catch {}
  return undefined;
}

/** Whether something answers on a unix socket path (a live agent) or not (a stale file). */
function alive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startControlServer(o: ControlServerOptions): Promise<ControlServer> {
  if (existsSync(o.path)) {
    if (!lstatSync(o.path).isSocket())
      throw new UserError(
        `control socket ${o.path} exists and is not a socket; remove it or set control.socket`,
      );
    if (await alive(o.path))
      throw new UserError(`control socket ${o.path} is in use: another edgelb agent runs on this node`);
    unlinkSync(o.path); // stale, from an agent that did not stop cleanly
  }
  const server = net.createServer((sock) => serve(sock, o.handle));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new UserError(`cannot listen on control socket ${o.path}: ${err.code ?? err.message}`)),
    );
    server.listen(o.path, () => resolve());
  });
  try {
    if (process.getuid?.() === 0) {
      const gid = groupId(o.group ?? SOCKET_GROUP);
      if (gid !== undefined) chownSync(o.path, 0, gid);
    }
    chmodSync(o.path, SOCKET_MODE);
    const mode = lstatSync(o.path).mode & 0o777;
    if (mode !== SOCKET_MODE) throw new Error(`mode is ${mode.toString(8)}, not ${SOCKET_MODE.toString(8)}`);
  } catch (err) {
    server.close();
    throw new UserError(`cannot set the permissions of control socket ${o.path}: ${(err as Error).message}`);
  }
  return {
    path: o.path,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        try {
          unlinkSync(o.path);
        } catch {}
      }),
  };
}

/**
 * The agent's control socket, or undefined (logged) when it cannot be had: no path configured,
 * no /run/edgelb outside the unit, another agent on the same path. The agent runs on without it.
 */
export async function openControlSocket(
  o: ControlServerOptions & { log: Logger },
): Promise<ControlServer | undefined> {
  if (!o.path) return undefined;
  try {
    const s = await startControlServer(o);
    o.log.info('control socket listening', { path: s.path });
    return s;
  } catch (err) {
    o.log.warn('control socket not available: edgelb drain will not reach this agent', {
      error: (err as Error).message,
    });
    return undefined;
  }
}

/** A client that sends no request within this long is dropped. */
const REQUEST_TIMEOUT_MS = 10_000;

function serve(sock: net.Socket, handle: ControlServerOptions['handle']): void {
  let buf = '';
  let answered = false;
  const reply = (r: ControlResponse) => {
    if (answered) return;
    answered = true;
    sock.end(`${JSON.stringify(r)}\n`);
  };
  sock.on('error', () => sock.destroy());
  sock.setTimeout(REQUEST_TIMEOUT_MS, () => {
    if (!answered) sock.destroy();
  });
  sock.on('data', (d: Buffer) => {
    if (answered) return;
    buf += d.toString('utf8');
    if (buf.length > MAX_REQUEST_BYTES)
      return reply({ ok: false, code: 'BadRequest', message: 'request too long' });
    const nl = buf.indexOf('\n');
    if (nl < 0) return;
    const req = parseRequest(buf.slice(0, nl));
    if (!req.ok) return reply({ ok: false, code: 'BadRequest', message: req.message });
    handle(req.value).then(reply, (err: Error) =>
      reply({ ok: false, code: 'BadRequest', message: `internal error: ${err.message}` }),
    );
  });
}
