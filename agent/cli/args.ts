/** Argument parsing shared by the subcommands: strict, with usage on stderr and exit 2. */
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG_PATH } from '../config/load.ts';
import { EX_USAGE, UserError } from '../lib/errors.ts';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** Parses argv; --help prints usage to stdout and returns undefined (exit 0). */
export function parseOrUsage<T extends OptionSpec>(
  argv: string[],
  options: T,
  usage: string,
):
  | { values: { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string }; positionals: string[] }
  | undefined {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw new UserError(
      `${(err as Error).message.replace(/\. To specify a positional.*$/s, '')}\n\n${usage}`,
      EX_USAGE,
    );
  }
  if (parsed.values.help) {
    process.stdout.write(`${usage}\n`);
    return undefined;
  }
  // biome-ignore lint/suspicious/noExplicitAny: parseArgs' inferred type is narrowed by the caller's spec
  return parsed as any;
}

export function noPositionals(positionals: string[], usage: string): void {
  if (positionals.length > 0)
    throw new UserError(`unexpected argument "${positionals[0]}"\n\n${usage}`, EX_USAGE);
}

/** The --config option shared by run and check-config. */
export const CONFIG_OPTION = { config: { type: 'string', short: 'c' } } as const satisfies OptionSpec;
export const CONFIG_HELP = `  --config PATH   config file (default ${DEFAULT_CONFIG_PATH}; a missing file means the defaults)`;

/** Parses `[--config PATH]` and nothing else; undefined after --help. */
export function configPathFrom(argv: string[], usage: string): string | undefined {
  const args = parseOrUsage(argv, CONFIG_OPTION, usage);
  if (!args) return undefined;
  noPositionals(args.positionals, usage);
  return args.values.config ?? DEFAULT_CONFIG_PATH;
}
