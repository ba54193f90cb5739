/** Helpers for the exposure tests: run the real agent, poll its endpoint, grep outputs for secrets. */
import { expect } from 'bun:test';
import { Speaker } from '../../agent/bgp/speaker.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { spawnCli } from '../support/cli.ts';
import { peer } from '../support/speaker-main.ts';

export type Agent = ReturnType<typeof spawnCli> & { url: string };

/** Starts `edgelb run --config <path>` from source; stop() sends SIGTERM and waits (SIGKILL after 5 s). */
export function startAgent(config: string, url: string, env: Record<string, string> = {}) {
  const a = spawnCli(['run', '--config', config], env);
  return {
    ...a,
    url,
    async stop(): Promise<number | null> {
      if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill('SIGTERM');
      const t = setTimeout(() => a.kill(), 5000);
      const code = await a.exited;
      clearTimeout(t);
      return code;
    },
  };
}

/** The router: a Speaker on 127.0.0.1:port (AS 65000) taking the agent (AS 65001) passively, with a TCP-MD5 key. */
export function md5Router(port: number, password: string): Speaker {
  const router = new Speaker({
    routerId: '10.255.0.1',
    listen: { address: '127.0.0.1', port },
    clock: systemClock,
    random: Math.random,
    log: memoryLogger('error'),
    metrics: new Registry(),
  });
  router.setPeers([
    peer({
      id: 'agent',
      peerAddress: '127.0.0.1',
      peerPort: 0,
      localASN: 65000,
      peerASN: 65001,
      passive: true,
      password,
      gracefulRestart: { enabled: false, restartTimeSeconds: 120 },
    }),
  ]);
  return router;
}

export async function get(url: string, init?: RequestInit): Promise<{ status: number; body: string }> {
  const r = await fetch(url, { ...init, signal: AbortSignal.timeout(3000) });
  return { status: r.status, body: await r.text() };
}

/** Polls until fn returns a value (not undefined) or fails after ms. */
export async function poll<T>(what: string, fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = (e as Error).message;
    }
    await Bun.sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}

/** Every form a secret could leak in: as is, base64, base64url, hex, URL-encoded, JSON-escaped. */
export function forms(secret: string): string[] {
  const b = Buffer.from(secret, 'utf8');
  return [
    secret,
    b.toString('base64').replace(/=+$/, ''),
    b.toString('base64url'),
    b.toString('hex'),
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
  ].filter((s, i, all) => s.length >= 8 && all.indexOf(s) === i);
}

/** Asserts none of the secrets (in any form) appears in any of the named outputs. */
export function expectNoSecret(outputs: Record<string, string>, secrets: string[]): void {
  const leaks: string[] = [];
  for (const [name, text] of Object.entries(outputs))
    for (const s of secrets)
      for (const f of forms(s)) if (text.includes(f)) leaks.push(`${name} contains "${f}"`);
  expect(leaks).toEqual([]);
}
