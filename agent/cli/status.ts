import { isHealthy, type StatusDoc } from '../http/status-doc.ts';
import { type Command, noPositionals, parseOrUsage } from './args.ts';
import { formatStatus } from './status-format.ts';

const DEFAULT_URL = 'http://127.0.0.1:9180';

const usage = `Usage: edgelb status [--url URL] [--json]

Reads the local agent's /status and prints the leader, BGP peers, announced
prefixes and allocations. Exits 0 when healthy, 1 when degraded, 2 when the
endpoint cannot be reached.

Options:
  --url URL   the agent's HTTP endpoint (default ${DEFAULT_URL})
  --json      print the raw /status document`;

export const statusCommand: Command = {
  name: 'status',
  summary: 'show leader, peers, prefixes and allocations of the local agent',
  usage,
  async run(argv) {
    const args = parseOrUsage(argv, { url: { type: 'string' }, json: { type: 'boolean' } }, usage);
    if (!args) return 0;
    noPositionals(args.positionals, usage);
    const base = (args.values.url ?? DEFAULT_URL).replace(/\/+$/, '');
    let doc: StatusDoc;
    try {
      const res = await fetch(`${base}/status`, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      doc = (await res.json()) as StatusDoc;
    } catch (err) {
      process.stderr.write(`edgelb status: cannot reach ${base}/status: ${(err as Error).message}\n`);
      return 2;
    }
    process.stdout.write(args.values.json ? `${JSON.stringify(doc, null, 2)}\n` : formatStatus(doc));
    return isHealthy(doc) ? 0 : 1;
  },
};
