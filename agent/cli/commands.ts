/** The command table: dispatch, help, completion and the man page all read it. */
import type { Command } from './args.ts';
import { bgpCommand } from './bgp.ts';
import { checkConfigCommand } from './check-config.ts';
import { completion, SHELLS } from './completion.ts';
import { convertCommand } from './convert.ts';
import { doctorCommand } from './doctor.ts';
import { drainCommand, undrainCommand } from './drain.ts';
import { explainCommand } from './explain.ts';
import { kubeconfigCommand } from './kubeconfig.ts';
import { manifestsCommand } from './manifests.ts';
import { planCommand } from './plan.ts';
import { routerConfigCommand } from './router-config.ts';
import { runCommand } from './run.ts';
import { statusCommand } from './status.ts';
import { versionCommand } from './version.ts';

const completionUsage = `Usage: edgelb completion ${SHELLS.join('|')}

Prints the shell completion script for edgelb. For example:
  edgelb completion bash > /etc/bash_completion.d/edgelb
  edgelb completion zsh > "\${fpath[1]}/_edgelb"
  edgelb completion fish > ~/.config/fish/completions/edgelb.fish`;

const completionCommand: Command = {
  name: 'completion',
  summary: `print the shell completion script (${SHELLS.join(', ')})`,
  usage: completionUsage,
  subcommands: SHELLS.map((name) => ({ name, options: {} })),
  async run(argv) {
    const [shell, ...rest] = argv;
    if (shell === '--help' || shell === '-h') {
      process.stdout.write(`${completionUsage}\n`);
      return 0;
    }
    if (!shell || rest.length > 0) {
      process.stderr.write(`edgelb completion: give one shell: ${SHELLS.join(', ')}\n\n${completionUsage}\n`);
      return 2;
    }
    process.stdout.write(completion(shell, commands));
    return 0;
  },
};

export const commands: Command[] = [
  runCommand,
  statusCommand,
  explainCommand,
  drainCommand,
  undrainCommand,
  checkConfigCommand,
  doctorCommand,
  manifestsCommand,
  kubeconfigCommand,
  convertCommand,
  routerConfigCommand,
  planCommand,
  bgpCommand,
  completionCommand,
  versionCommand,
];
