/**
 * A static file server for tests, started inside another network namespace (e.g. a
 * container's, through nsenter -n): serves the flat folder argv[2] on 127.0.0.1, on port
 * argv[3] (0: any free one), prints "port N" once listening, and logs each request served.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const [dir = '.', port = '0'] = process.argv.slice(2);
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(port),
  fetch(req) {
    const name = new URL(req.url).pathname.slice(1);
    const path = join(dir, name);
    if (!name || name.includes('/') || name.startsWith('.') || !existsSync(path)) {
      return new Response('not found', { status: 404 });
    }
    process.stderr.write(`GET ${name}\n`);
    return new Response(Bun.file(path));
  },
});
process.stdout.write(`port ${server.port}\n`);
process.on('SIGTERM', () => {
  server.stop(true);
  process.exit(0);
});
