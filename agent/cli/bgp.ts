import { EX_USAGE } from '../lib/errors.ts';
import type { Command } from './args.ts';
import { LISTEN_OPTIONS, USAGE as LISTEN_USAGE, main as listen } from './bgp-listen.ts';

const usage = `Usage: edgelb bgp <subcommand>

Subcommands:
  listen   a passive BGP route collector that prints what peers announce and withdraw

${LISTEN_USAGE}`;

export const bgpCommand: Command = {
  name: 'bgp',
  summary: 'BGP tools: "bgp listen" collects and prints routes from peers',
  usage,
  subcommands: [{ name: 'listen', options: LISTEN_OPTIONS }],
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'listen') return listen(rest);
    if (sub === '--help' || sub === '-h') {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    process.stderr.write(`${sub ? `edgelb bgp: unknown subcommand "${sub}"\n\n` : ''}${usage}\n`);
    return EX_USAGE;
  },
};
