/**
 * ADAPTER. Reading the API server's bodies within bounds: a response as text, refused past its
 * limit as it arrives, and a watch stream split into JSON event lines on the newline byte, each
 * line refused past its limit (counted after decompression); read failures become
 * KubeTransportError, bodies edgelb will not use KubeResponseError.
 */
import { errorMessage } from '../lib/errors.ts';
import { KubeResponseError, KubeTransportError } from './kube-errors.ts';

export interface WatchEvent<T = unknown> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

const NEWLINE = 10;

function mib(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}

function concatBytes(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** The body as text, refused past `limit` bytes (checked as it arrives, never buffered whole). */
export async function readBoundedText(
  res: Response,
  what: string,
  signal: AbortSignal | undefined,
  limit: number,
): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  // Decoded as it arrives (no chunk is kept; the string pieces join without copying).
  const decoder = new TextDecoder();
  let text = '';
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        void reader.cancel().catch(() => {});
        throw new KubeResponseError('too-large', `${what}: the response exceeds ${mib(limit)}`);
      }
      text += decoder.decode(value, { stream: true });
    }
    text += decoder.decode();
  } catch (err) {
    if (err instanceof KubeResponseError) throw err;
    if (signal?.aborted) throw new KubeTransportError('aborted', `${what}: aborted`, { cause: err });
    const name = (err as { name?: string })?.name;
    if (name === 'TimeoutError' || name === 'AbortError')
      throw new KubeTransportError('timeout', `${what}: the response did not complete in time`, {
        cause: err,
      });
    throw new KubeTransportError('network', `${what}: reading the response: ${errorMessage(err)}`, {
      cause: err,
    });
  } finally {
    reader.releaseLock?.();
  }
  return text;
}

/**
 * Calls onEvent for each JSON line of a watch body until it ends (resolves) or fails (rejects);
 * `what` names it in bound and JSON errors ("watch services"), `path` in transport errors.
 */
export async function readWatchEvents<T>(
  body: ReadableStream<Uint8Array>,
  what: string,
  path: string,
  signal: AbortSignal,
  limit: number,
  onEvent: (e: WatchEvent<T>) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  // The current line's bytes so far; lines are split on the newline byte (never inside a
  // UTF-8 sequence), each checked against the bound as it grows.
  let parts: Uint8Array[] = [];
  let lineBytes = 0;
  const emit = (last: Uint8Array) => {
    const bytes = concatBytes(last.byteLength > 0 ? [...parts, last] : parts, lineBytes + last.byteLength);
    parts = [];
    lineBytes = 0;
    const line = decoder.decode(bytes).trim();
    if (!line) return;
    let event: WatchEvent<T>;
    try {
      event = JSON.parse(line) as WatchEvent<T>;
    } catch (err) {
      throw new KubeResponseError('malformed', `${what}: an event is not JSON (${errorMessage(err)})`);
    }
    onEvent(event);
  };
  const tooLong = () => {
    void reader.cancel().catch(() => {});
    return new KubeResponseError('too-large', `${what}: an event line exceeds ${mib(limit)}`);
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let start = 0;
      for (let nl = value.indexOf(NEWLINE); nl >= 0; nl = value.indexOf(NEWLINE, start)) {
        if (lineBytes + nl - start > limit) throw tooLong();
        emit(value.subarray(start, nl));
        start = nl + 1;
      }
      const rest = value.byteLength - start;
      if (lineBytes + rest > limit) throw tooLong();
      if (rest > 0) {
        parts.push(value.subarray(start));
        lineBytes += rest;
      }
    }
    if (lineBytes > 0) emit(new Uint8Array(0));
  } catch (err) {
    if (err instanceof KubeResponseError) throw err;
    if (signal.aborted) throw new KubeTransportError('aborted', `watch ${path}: aborted`, { cause: err });
    throw new KubeTransportError('network', `watch ${path}: ${errorMessage(err)}`, { cause: err });
  } finally {
    reader.releaseLock?.();
  }
}
