/** Runs `edgelb manifests` (agent/cli/manifests.ts main) with this process's arguments. */
import { main } from '../../../agent/cli/manifests.ts';

process.exitCode = await main(process.argv.slice(2));
