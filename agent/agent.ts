/**
 * Composition root of `edgelb run`: builds the real clock, metrics, HTTP endpoint and
 * components, wires signals and systemd notification. No logic lives here.
 */
import { hostname } from 'node:os';
import type { Config } from './config/schema.ts';
import { createApp } from './http/app.ts';
import { registerProcessMetrics } from './http/process-metrics.ts';
import { serveHttp } from './http/server.ts';
import { emptyStatus } from './http/status-doc.ts';
import { UserError } from './lib/errors.ts';
import { Lifecycle } from './lib/lifecycle.ts';
import type { Logger } from './lib/log.ts';
import { Registry } from './lib/metrics.ts';
import { sdNotify } from './lib/sd-notify.ts';
import { buildInfo } from './version.ts';

export interface RunningAgent {
  /** Resolves with the exit code once the agent has stopped. */
  done: Promise<number>;
  stop(): Promise<void>;
}

export async function startAgent(config: Config, log: Logger): Promise<RunningAgent> {
  const startedAt = Date.now();
  const nodeName = config.nodeName || hostname();
  const lifecycle = new Lifecycle(log);
  const registry = new Registry();
  registry.collect('edgelb_build_info', 'edgelb build information; the value is always 1.', 'gauge', () => [
    { labels: { version: buildInfo.version, commit: buildInfo.commit, target: buildInfo.target }, value: 1 },
  ]);
  registerProcessMetrics(registry, startedAt);

  const status = emptyStatus(nodeName, buildInfo.version, config.source);
  const app = createApp({
    notReady: () => ['no component has reported ready yet'],
    metrics: () => registry.render(),
    status: () => status,
  });

  let http: ReturnType<typeof serveHttp>;
  try {
    http = serveHttp(app, config.http.listen);
  } catch (err) {
    if (err instanceof UserError) log.error(err.message);
    throw err;
  }
  lifecycle.add({ name: 'http', stop: () => http.stop() });
  log.info('edgelb started', {
    node: nodeName,
    version: buildInfo.version,
    http: http.url,
    source: config.source,
  });
  sdNotify(`READY=1\nSTATUS=serving ${http.url}`);

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => {
    resolveDone = r;
  });
  const stop = async () => {
    sdNotify('STOPPING=1');
    log.info('stopping');
    await lifecycle.stop();
    log.info('stopped');
    resolveDone(0);
  };
  const onSignal = (signal: string) => {
    log.info('signal received', { signal });
    void stop();
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  return { done, stop };
}
