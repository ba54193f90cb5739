/**
 * Structured logging: one line per event on stderr. JSON by default, logfmt-like text on
 * request. Under journald each line starts with its syslog priority (`<4>` for a warning), so
 * `journalctl -p warning` finds it. Fields named like secrets are redacted.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Format = 'json' | 'text';
export type Fields = Record<string, unknown>;

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
/** sd-daemon(3) priority prefixes: LOG_DEBUG 7, LOG_INFO 6, LOG_WARNING 4, LOG_ERR 3. */
export const JOURNAL_PRIORITY: Record<Level, number> = { debug: 7, info: 6, warn: 4, error: 3 };
const SECRET_KEY = /pass(word)?|secret|token|key|authorization|cert/i;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

export interface LogOptions {
  level: Level;
  format: Format;
  write?: (line: string) => void;
  now?: () => Date;
  /** Prefix each line with its `<N>` priority (set when JOURNAL_STREAM says stderr is the journal). */
  journald?: boolean;
}

/** True when stderr is connected to journald (systemd sets JOURNAL_STREAM for the service). */
export function stderrIsJournal(env: Record<string, string | undefined> = process.env): boolean {
  return !!env.JOURNAL_STREAM;
}

export function redact(fields: Fields): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '') out[k] = '[redacted]';
    else if (v instanceof Error) out[k] = v.message;
    else out[k] = v;
  }
  return out;
}

function textValue(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /^[^\s"=]+$/.test(s ?? '') ? (s ?? '') : JSON.stringify(s);
}

export function createLogger(opts: LogOptions, base: Fields = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = opts.now ?? (() => new Date());
  const min = ORDER[opts.level];
  const emit = (level: Level, msg: string, fields?: Fields) => {
    if (ORDER[level] < min) return;
    const all = redact({ ...base, ...fields });
    const prefix = opts.journald ? `<${JOURNAL_PRIORITY[level]}>` : '';
    if (opts.format === 'json') {
      write(prefix + JSON.stringify({ time: now().toISOString(), level, msg, ...all }));
    } else {
      const kv = Object.entries(all)
        .map(([k, v]) => `${k}=${textValue(v)}`)
        .join(' ');
      write(`${prefix}${now().toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}${kv ? ` ${kv}` : ''}`);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(opts, { ...base, ...fields }),
  };
}

/** A logger that keeps lines in memory, for tests. */
export function memoryLogger(level: Level = 'debug'): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ level, format: 'json', write: (l) => lines.push(l) });
  return Object.assign(logger, { lines });
}

/** A warn that logs each key only once (a condition that holds for the object's whole life). */
export function warnOncePerKey(log: Logger, fields?: Fields): (key: string, msg: string) => void {
  const seen = new Set<string>();
  return (key, msg) => {
    if (seen.has(key)) return;
    seen.add(key);
    log.warn(msg, fields);
  };
}
