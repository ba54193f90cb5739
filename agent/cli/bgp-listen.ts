/**
 * `edgelb bgp listen --asn N [--listen ADDR:PORT] [--json] [--router-id IP]`: a passive BGP
 * route collector that accepts a session from any peer and prints every announce and
 * withdraw it receives, one line each (JSON lines with --json). Runs until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { Collector, type RouteEvent } from '../bgp/collector.ts';
import { parseIPv4 } from '../bgp/wire/address.ts';
import { systemClock } from '../lib/clock.ts';
import { createLogger } from '../lib/log.ts';
import { type OptionSpec, parseErrorText } from './args.ts';

export const USAGE = `usage: edgelb bgp listen --asn N [--listen ADDR:PORT] [--json] [--router-id IP]

A passive BGP route collector: accepts sessions from any peer and prints every
route announced and withdrawn. It announces nothing.

  --asn N             local AS number (1-4294967295)
  --listen ADDR:PORT  where to listen (default 0.0.0.0:179; [::]:179 for IPv6)
  --router-id IP      BGP identifier (default 10.255.255.254)
  --json              one JSON object per line
  -h, --help          this help`;

export const LISTEN_OPTIONS = {
  asn: { type: 'string' },
  listen: { type: 'string' },
  json: { type: 'boolean' },
  'router-id': { type: 'string' },
} as const satisfies OptionSpec;

export function formatEvent(e: RouteEvent, json: boolean): string {
  if (json) return JSON.stringify(e);
  switch (e.event) {
    case 'established':
      return `established ${e.peer} AS${e.peerASN}`;
    case 'down':
      return `down ${e.peer} ${e.reason ?? ''}`.trimEnd();
    case 'withdraw':
      return `withdraw ${e.peer} ${e.prefix}`;
    case 'announce': {
      const parts = [
        `announce ${e.peer} ${e.prefix} via ${e.nextHop ?? '-'} as-path [${(e.asPath ?? []).join(' ')}]`,
      ];
      if (e.communities?.length) parts.push(`communities ${e.communities.join(' ')}`);
      if (e.largeCommunities?.length) parts.push(`large ${e.largeCommunities.join(' ')}`);
      if (e.localPref !== undefined) parts.push(`local-pref ${e.localPref}`);
      return parts.join(' ');
    }
  }
}

export function parseListen(s: string): { address: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  return { address: m[1]!, port };
}

export interface ListenHandle {
  port: number;
  stop(): Promise<void>;
}

export async function main(
  argv: string[],
  io: {
    out?: (line: string) => void;
    err?: (line: string) => void;
    /** Tests: receive the running collector instead of waiting for a signal. */
    started?: (h: ListenHandle) => void;
  } = {},
): Promise<number> {
  const out = io.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = io.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  let values: { asn?: string; listen?: string; json?: boolean; 'router-id'?: string; help?: boolean };
  const options = { ...LISTEN_OPTIONS, help: { type: 'boolean', short: 'h' } } as const satisfies OptionSpec;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (e) {
    err(`${parseErrorText(e, options)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const asn = Number(values.asn);
  if (!values.asn || !/^\d+$/.test(values.asn) || asn < 1 || asn > 0xffffffff) {
    err(`--asn must be an AS number between 1 and 4294967295\n\n${USAGE}`);
    return 2;
  }
  const listen = parseListen(values.listen ?? '0.0.0.0:179');
  if (!listen) {
    err(`--listen must be ADDR:PORT or [ADDR]:PORT\n\n${USAGE}`);
    return 2;
  }
  const routerId = values['router-id'] ?? '10.255.255.254';
  if (!parseIPv4(routerId) || routerId === '0.0.0.0') {
    err(`--router-id must be a non-zero IPv4 address\n\n${USAGE}`);
    return 2;
  }
  const json = !!values.json;
  const collector = new Collector({
    asn,
    routerId,
    listen,
    clock: systemClock,
    random: Math.random,
    log: createLogger({ level: 'warn', format: json ? 'json' : 'text' }),
    onEvent: (e) => out(formatEvent(e, json)),
  });
  let bound: { address: string; port: number };
  try {
    bound = await collector.listen();
  } catch (e) {
    err(`cannot listen on ${values.listen ?? '0.0.0.0:179'}: ${(e as Error).message}`);
    return 1;
  }
  if (!json) err(`listening on ${bound.address}:${bound.port} as AS${asn}`);
  await new Promise<void>((resolve) => {
    if (io.started) {
      io.started({ port: bound.port, stop: async () => resolve() });
      return;
    }
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await collector.close();
  return 0;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
