/**
 * `edgelb drain` / `edgelb undrain`: on the node itself, for a reboot without touching the
 * cluster. They talk to the running agent over its control socket (control.socket in the
 * config, default /run/edgelb/control.sock, root and the edgelb group only).
 */
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config/load.ts';
import { formatProblem } from '../config/schema.ts';
import { request } from '../control/client.ts';
import type { ControlRequest } from '../control/protocol.ts';
import { EX_CONFIG, EX_USAGE, UserError } from '../lib/errors.ts';
import {
  CONFIG_HELP,
  CONFIG_OPTION,
  type Command,
  noPositionals,
  type OptionSpec,
  parseOrUsage,
} from './args.ts';

/** Margin over the drain's own bound for the answer to arrive. */
const ANSWER_MARGIN_MS = 5000;

const drainUsage = `Usage: edgelb drain [--config PATH] [--settle SECONDS] [--timeout SECONDS]

Withdraws everything this node announces (BGP routes; L2 IPs go to other nodes) and returns
only when the withdrawals have been sent and acknowledged by TCP on every BGP session, plus a
settle delay. The sessions stay up. The node stays drained across restarts of the agent until
"edgelb undrain".

Options:
${CONFIG_HELP}
  --settle SECONDS  wait after the acknowledgements (default control.settleSeconds, 1)
  --timeout SECONDS give up waiting for acknowledgements (default control.drainTimeoutSeconds, 10)

Exit codes: 0 drained, 1 not (the reason is printed), 78 invalid configuration.`;

const undrainUsage = `Usage: edgelb undrain [--config PATH]

Ends "edgelb drain": this node announces again (unless it is excluded or cordoned).

Options:
${CONFIG_HELP}

Exit codes: 0 undrained, 1 not (the reason is printed), 78 invalid configuration.`;

function seconds(v: string | undefined, name: string, usage: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UserError(`${name} must be a number of seconds, got "${v}"\n\n${usage}`, EX_USAGE);
  return n;
}

async function send(configPath: string, req: ControlRequest): Promise<number> {
  const loaded = loadConfig(configPath);
  if (!loaded.ok) {
    process.stderr.write(`edgelb: invalid configuration in ${configPath}:\n`);
    for (const p of loaded.problems) process.stderr.write(`  ${formatProblem(p)}\n`);
    return EX_CONFIG;
  }
  const path = loaded.config.control.socket;
  if (!path) throw new UserError(`control.socket is empty in ${configPath}: the agent has no control socket`);
  const c = loaded.config.control;
  // An undrain runs one reconcile pass; a drain waits at most its timeout, then settles.
  const limit =
    req.command === 'drain'
      ? ((req.timeoutSeconds ?? c.drainTimeoutSeconds) + (req.settleSeconds ?? c.settleSeconds)) * 1000
      : 0;
  const r = await request(path, req, limit + ANSWER_MARGIN_MS);
  if (!r.ok) {
    process.stderr.write(`edgelb ${req.command}: ${r.message}\n`);
    return 1;
  }
  if (!r.response.ok) {
    process.stderr.write(`edgelb ${req.command}: ${r.response.message} (${r.response.code})\n`);
    return 1;
  }
  process.stdout.write(`${r.response.message}\n`);
  return 0;
}

const DRAIN_OPTIONS = {
  ...CONFIG_OPTION,
  settle: { type: 'string' },
  timeout: { type: 'string' },
} as const satisfies OptionSpec;

export const drainCommand: Command = {
  name: 'drain',
  summary: 'withdraw everything this node announces (for a reboot)',
  usage: drainUsage,
  options: DRAIN_OPTIONS,
  async run(argv) {
    const args = parseOrUsage(argv, DRAIN_OPTIONS, drainUsage);
    if (!args) return 0;
    noPositionals(args.positionals, drainUsage);
    const settle = seconds(args.values.settle, '--settle', drainUsage);
    const timeout = seconds(args.values.timeout, '--timeout', drainUsage);
    const req: ControlRequest = {
      command: 'drain',
      ...(settle !== undefined ? { settleSeconds: settle } : {}),
      ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
    };
    return send(args.values.config ?? DEFAULT_CONFIG_PATH, req);
  },
};

export const undrainCommand: Command = {
  name: 'undrain',
  summary: 'end `edgelb drain`: announce again',
  usage: undrainUsage,
  options: CONFIG_OPTION,
  async run(argv) {
    const args = parseOrUsage(argv, CONFIG_OPTION, undrainUsage);
    if (!args) return 0;
    noPositionals(args.positionals, undrainUsage);
    return send(args.values.config ?? DEFAULT_CONFIG_PATH, { command: 'undrain' });
  },
};
