import { startAgent } from '../agent.ts';
import { loadConfig } from '../config/load.ts';
import { formatProblem } from '../config/schema.ts';
import { EX_CONFIG } from '../lib/errors.ts';
import { createLogger, JOURNAL_PRIORITY, stderrIsJournal } from '../lib/log.ts';
import { CONFIG_HELP, CONFIG_OPTION, type Command, configPathFrom } from './args.ts';

const usage = `Usage: edgelb run [--config PATH]

Runs the agent: IPAM (on the elected leader), the BGP speaker and the local HTTP
endpoint. Stops cleanly on SIGTERM or SIGINT; SIGHUP reloads files-mode manifests.

Options:
${CONFIG_HELP}

Exit codes: 0 clean stop, 78 invalid configuration, 1 any other failure.`;

export const runCommand: Command = {
  name: 'run',
  summary: 'run the agent',
  usage,
  options: CONFIG_OPTION,
  async run(argv) {
    const path = configPathFrom(argv, usage);
    if (path === undefined) return 0;
    const loaded = loadConfig(path);
    const journald = stderrIsJournal();
    if (!loaded.ok) {
      const err = journald ? `<${JOURNAL_PRIORITY.error}>` : '';
      process.stderr.write(`${err}edgelb: invalid configuration in ${path}:\n`);
      for (const p of loaded.problems) process.stderr.write(`${err}  ${formatProblem(p)}\n`);
      return EX_CONFIG;
    }
    const { level, format } = loaded.config.log;
    const log = createLogger({ level, format, journald });
    if (!loaded.found) log.info('config file not found, using the defaults', { path });
    const agent = await startAgent(loaded.config, log);
    return agent.done;
  },
};
