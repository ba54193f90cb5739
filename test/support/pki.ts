/**
 * Test PKI made with openssl: a CA, a server certificate (SANs for 127.0.0.1, ::1,
 * localhost and any extra IPs), and a client certificate (CN=edgelb-node, O=system:masters).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  caFile: string;
  caKeyFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

function openssl(args: string[], cwd: string): void {
  const r = Bun.spawnSync(['openssl', ...args], { cwd, stdout: 'pipe', stderr: 'pipe' });
  if (r.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr.toString().trim()}`);
}

/** Issues a certificate signed by the CA in dir. */
export function issueCert(
  dir: string,
  name: string,
  subject: string,
  ext: string,
  ca = { cert: 'ca.crt', key: 'ca.key' },
): { cert: string; key: string } {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(
    ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat([
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    ]),
    dir,
  );
  openssl(
    ['x509', '-req', '-in', `${name}.csr`, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial'].concat([
      '-out',
      `${name}.crt`,
      '-days',
      '7',
      '-extfile',
      `${name}.ext`,
    ]),
    dir,
  );
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

/** Creates a self-signed CA named `name` in dir. */
export function makeCa(dir: string, name = 'ca', cn = 'edgelb-test-ca'): { cert: string; key: string } {
  openssl(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat([
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '7',
      '-subj',
      `/CN=${cn}`,
    ]),
    dir,
  );
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

export function generatePki(dir: string, extraIps: string[] = []): Pki {
  mkdirSync(dir, { recursive: true });
  const ca = makeCa(dir);
  const ips = [...new Set(['127.0.0.1', '::1', ...extraIps.filter((ip) => isIP(ip))])];
  const dns = ['localhost', 'kubernetes', 'kubernetes.default', ...extraIps.filter((h) => !isIP(h))];
  const san = [...ips.map((ip) => `IP:${ip}`), ...dns.map((d) => `DNS:${d}`)].join(',');
  const server = issueCert(
    dir,
    'server',
    '/CN=kube-apiserver',
    `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`,
  );
  const client = issueCert(
    dir,
    'client',
    '/O=system:masters/CN=edgelb-node',
    'extendedKeyUsage=clientAuth\n',
  );
  return {
    dir,
    caFile: ca.cert,
    caKeyFile: ca.key,
    serverCertFile: server.cert,
    serverKeyFile: server.key,
    clientCertFile: client.cert,
    clientKeyFile: client.key,
  };
}
