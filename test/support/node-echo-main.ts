/**
 * A one-line "Service" for the L2 lab: run inside a node's namespace, it accepts TCP on every
 * address (IPv4 and IPv6, so also the LoadBalancer IPs on `lo`), writes the node's name and
 * closes. argv: <name> <port>.
 */
import { createServer } from 'node:net';

const [name = 'node', port = '8080'] = process.argv.slice(2);
const server = createServer((s) => {
  s.on('error', () => s.destroy());
  s.end(`${name}\n`);
});
server.listen({ host: '::', port: Number(port) }, () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
