import { loadConfig } from '../config/load.ts';
import { formatProblem } from '../config/schema.ts';
import { CONFIG_HELP, CONFIG_OPTION, type Command, configPathFrom } from './args.ts';

const usage = `Usage: edgelb check-config [--config PATH]

Validates the node configuration and lists every problem with its field path.
Exits 0 when valid, 1 otherwise.

Options:
${CONFIG_HELP}`;

export const checkConfigCommand: Command = {
  name: 'check-config',
  summary: 'validate the configuration file',
  usage,
  options: CONFIG_OPTION,
  async run(argv) {
    const path = configPathFrom(argv, usage);
    if (path === undefined) return 0;
    const r = loadConfig(path);
    if (!r.ok) {
      process.stderr.write(`${path}: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}\n`);
      for (const p of r.problems) process.stderr.write(`  ${formatProblem(p)}\n`);
      return 1;
    }
    process.stdout.write(r.found ? `${path}: ok\n` : `${path}: not found, the defaults apply: ok\n`);
    return 0;
  },
};
