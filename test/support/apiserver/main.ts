/**
 * Standalone test API server: `bun test/support/apiserver/main.ts --listen 192.168.2.2:6443 --dir DIR`
 * [--token-user system:serviceaccount:kube-system:edgelb] [--rbac] [--bookmark-interval-ms N].
 * Writes the PKI and kubeconfigs into DIR, prints one JSON line with the paths when ready,
 * and exits cleanly on SIGTERM/SIGINT.
 */
import { startApiServer } from './index.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const listen = arg('--listen') ?? '127.0.0.1:0';
const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(listen);
if (!m) {
  console.error(`--listen must be HOST:PORT, got ${listen}`);
  process.exit(2);
}
const bookmark = arg('--bookmark-interval-ms');
const srv = await startApiServer({
  host: m[1],
  port: Number(m[2]),
  dir: arg('--dir'),
  bookmarkIntervalMs: bookmark ? Number(bookmark) : undefined,
  tokenUser: arg('--token-user'),
  rbac: process.argv.includes('--rbac'),
});
const {
  faults: _f,
  requests: _r,
  create: _c,
  get: _g,
  update: _u,
  remove: _rm,
  list: _l,
  stop,
  ...info
} = srv;
console.log(
  JSON.stringify({
    url: info.url,
    host: info.host,
    port: info.port,
    dir: info.dir,
    kubeconfigCert: info.kubeconfigCert,
    kubeconfigCertFiles: info.kubeconfigCertFiles,
    kubeconfigToken: info.kubeconfigToken,
    kubeconfigTokenFile: info.kubeconfigTokenFile,
    caFile: info.caFile,
    clientCertFile: info.clientCertFile,
    clientKeyFile: info.clientKeyFile,
    tokenFile: info.tokenFile,
    pid: process.pid,
  }),
);
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await stop();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
