import { buildInfo } from '../version.ts';
import { type Command, noPositionals, parseOrUsage } from './args.ts';

const usage = `Usage: edgelb version [--json]

Prints the version, commit and build target.`;

export const versionCommand: Command = {
  name: 'version',
  summary: 'print version, commit and target',
  usage,
  options: { json: { type: 'boolean' } },
  async run(argv) {
    const args = parseOrUsage(argv, { json: { type: 'boolean' } }, usage);
    if (!args) return 0;
    noPositionals(args.positionals, usage);
    if (args.values.json) process.stdout.write(`${JSON.stringify(buildInfo)}\n`);
    else {
      process.stdout.write(
        `edgelb ${buildInfo.version} (commit ${buildInfo.commit}, ${buildInfo.target}, ${buildInfo.runtime})\n`,
      );
    }
    return 0;
  },
};
