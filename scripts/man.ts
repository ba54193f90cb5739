/** Prints edgelb(8) from the CLI's command table: `bun scripts/man.ts VERSION DATE`. */
import { commands } from '../agent/cli/commands.ts';
import { manPage } from '../agent/cli/completion.ts';

const [version = '0.0.0', date = new Date().toISOString().slice(0, 10)] = process.argv.slice(2);
process.stdout.write(manPage(commands, version, date));
