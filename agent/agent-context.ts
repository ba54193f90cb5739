/** Part of the composition root (agent.ts): what every part of `edgelb run` is built from. */
import type { Config } from './config/schema.ts';
import type { Clock } from './lib/clock.ts';
import type { Logger } from './lib/log.ts';
import type { Registry } from './lib/metrics.ts';
import type { Source } from './source/types.ts';

export interface AgentContext {
  config: Config;
  source: Source;
  nodeName: string;
  clock: Clock;
  random: () => number;
  log: Logger;
  metrics: Registry;
}
