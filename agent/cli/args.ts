/** Argument parsing shared by the subcommands: strict, with usage on stderr and exit 2. */
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG_PATH } from '../config/load.ts';
import { EX_USAGE, UserError } from '../lib/errors.ts';
import { didYouMean } from '../lib/suggest.ts';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** The options the command parses (for completion and the man page; --help is implied). */
  options?: OptionSpec;
  /** Subcommands with their own options (`edgelb bgp listen`). */
  subcommands?: { name: string; options: OptionSpec }[];
  run(argv: string[]): Promise<number>;
}

/**
 * Node's parseArgs errors in edgelb's words: `unknown option --nope (did you mean --json?)`,
 * `option --url needs a value`, `option --json takes no value`, `unexpected argument "x"`.
 */
export function parseErrorText(err: unknown, options: OptionSpec): string {
  const e = err as { code?: string; message?: string };
  const message = e?.message ?? String(err);
  const flag = /'(-{1,2}[^' <]+)/.exec(message)?.[1] ?? '';
  switch (e?.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const names = Object.keys({ ...options, help: true });
      const hint = flag.startsWith('--') ? didYouMean(flag.slice(2), names) : undefined;
      return `unknown option ${flag}${hint ? ` (did you mean --${hint}?)` : ''}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(message)
        ? `option ${flag} needs a value`
        : /does not take an argument/.test(message)
          ? `option ${flag} takes no value`
          : `option ${flag}: ${message}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${/'([^']*)'/.exec(message)?.[1] ?? ''}"`;
    default:
      return message;
  }
}

/** parseArgs, strict, with edgelb's usage error (exit 2) on anything it refuses. */
export function parseStrict<T extends OptionSpec>(
  argv: string[],
  options: T,
  usage: string,
  allowPositionals = true,
): ReturnType<typeof parseArgs> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (err) {
    throw new UserError(`${parseErrorText(err, options)}\n\n${usage}`, EX_USAGE);
  }
}

/** Parses argv; --help prints usage to stdout and returns undefined (exit 0). */
export function parseOrUsage<T extends OptionSpec>(
  argv: string[],
  options: T,
  usage: string,
):
  | { values: { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string }; positionals: string[] }
  | undefined {
  const parsed = parseStrict(argv, { ...options, help: { type: 'boolean', short: 'h' } }, usage);
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
export const CONFIG_OPTION = { config: { type: 'string' } } as const satisfies OptionSpec;
export const CONFIG_HELP = `  --config PATH   config file (default ${DEFAULT_CONFIG_PATH}; a missing file means the defaults)`;

/** Parses `[--config PATH]` and nothing else; undefined after --help. */
export function configPathFrom(argv: string[], usage: string): string | undefined {
  const args = parseOrUsage(argv, CONFIG_OPTION, usage);
  if (!args) return undefined;
  noPositionals(args.positionals, usage);
  return args.values.config ?? DEFAULT_CONFIG_PATH;
}
