/**
 * `edgelb convert [-f FILE|-] [--allow-lossy]`: Cilium and MetalLB manifests in, edgelb's
 * as multi-document YAML on stdout; a warning on stderr for each field that cannot be
 * carried over. An object that cannot be converted, or a loss that would change what is
 * announced or where, is an error: nothing is printed and the exit code is 1.
 * --allow-lossy turns the second kind into warnings.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import { convertManifests, type Note } from '../convert/convert.ts';
import { UserError } from '../lib/errors.ts';
import { type Command, noPositionals, type OptionSpec, parseOrUsage } from './args.ts';

const usage = `Usage: edgelb convert [-f FILE|-] [--allow-lossy]

Turns Cilium (CiliumLoadBalancerIPPool, CiliumBGPPeeringPolicy, CiliumBGPClusterConfig +
CiliumBGPPeerConfig + CiliumBGPAdvertisement, CiliumL2AnnouncementPolicy) and MetalLB
(IPAddressPool, BGPPeer, BGPAdvertisement, Community, BFDProfile, L2Advertisement)
manifests into edgelb's LoadBalancerIPPool, BFDProfile, BGPPeeringPolicy and
L2AnnouncementPolicy, printed as YAML for kubectl apply -f -. Each field edgelb cannot
carry over is named in a warning on stderr; one whose loss would change what is
announced or where is an error (exit 1, nothing printed) unless --allow-lossy.

Options:
  -f, --filename FILE   the manifests (default "-": standard input)
      --allow-lossy     convert anyway when a loss changes what is announced or where
                        (each such loss is still named in a warning)

Example:
  kubectl get ciliumloadbalancerippools,ciliumbgppeeringpolicies -o yaml | edgelb convert | kubectl apply -f -`;

export interface ConvertIO {
  readFile(path: string): string;
  readStdin(): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
}

const realIO: ConvertIO = {
  readFile: (path) => readFileSync(path, 'utf8'),
  readStdin: () => Bun.stdin.text(),
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

/** YAML 1.1 so "yes"/"no"/"on" stay quoted strings for kubectl (go-yaml reads them as booleans). */
const YAML_OPTIONS = { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false } as const;

function formatNote(level: 'warning' | 'error', n: Note): string {
  return `edgelb convert: ${level}: ${n.object}${n.field ? ` ${n.field}` : ''}: ${n.message}\n`;
}

/** Parses every YAML document; a syntax error names the file and line. */
export function parseManifests(text: string, source: string): unknown[] {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const d of list) {
    const e = d.errors[0];
    if (e) {
      const line = e.linePos?.[0]?.line;
      const what = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      throw new UserError(`${source}${line ? `:${line}` : ''}: not valid YAML: ${what}`);
    }
  }
  return list.map((d) => d.toJS());
}

const CONVERT_OPTIONS = {
  filename: { type: 'string', short: 'f' },
  'allow-lossy': { type: 'boolean' },
} as const satisfies OptionSpec;

/** Converts and prints; returns the exit code. */
export async function runConvert(argv: string[], io: ConvertIO = realIO): Promise<number> {
  const args = parseOrUsage(argv, CONVERT_OPTIONS, usage);
  if (!args) return 0;
  noPositionals(args.positionals, usage);
  const file = args.values.filename ?? '-';
  let text: string;
  try {
    text = file === '-' ? await io.readStdin() : io.readFile(file);
  } catch (err) {
    throw new UserError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const source = file === '-' ? 'standard input' : file;
  const result = convertManifests(parseManifests(text, source), {
    allowLossy: args.values['allow-lossy'] === true,
  });
  for (const w of result.warnings) io.stderr(formatNote('warning', w));
  for (const e of result.errors) io.stderr(formatNote('error', e));
  if (result.errors.length > 0) {
    io.stderr(`edgelb convert: ${result.errors.length} object(s) could not be converted; nothing printed.\n`);
    return 1;
  }
  if (result.objects.length === 0) {
    io.stderr(`edgelb convert: ${source} holds no Cilium or MetalLB object to convert.\n`);
    return 1;
  }
  io.stdout(result.objects.map((o) => stringify(o, YAML_OPTIONS)).join('---\n'));
  return 0;
}

export const convertCommand: Command = {
  name: 'convert',
  summary: 'convert Cilium or MetalLB pools, BGP, BFD and L2 settings to edgelb resources',
  usage,
  options: CONVERT_OPTIONS,
  run: (argv) => runConvert(argv),
};

/** The entry the command line calls: `edgelb convert ...`. */
export async function main(argv: string[]): Promise<number> {
  try {
    return await runConvert(argv);
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`edgelb convert: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
