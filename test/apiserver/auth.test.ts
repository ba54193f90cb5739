import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { call } from '../support/apiserver/http-client.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { issueCert, makeCa } from '../support/pki.ts';

let srv: TestApiServer;
beforeAll(async () => {
  srv = await startApiServer();
});
afterAll(async () => {
  await srv?.stop();
});

describe('authentication', () => {
  test('a client certificate from the test CA is accepted', async () => {
    const r = await call(srv, 'GET', '/api/v1/namespaces/default', undefined, { auth: 'cert' });
    expect(r.status).toBe(200);
    expect(r.body.metadata.name).toBe('default');
    expect(srv.requests.at(-1)).toMatchObject({ method: 'GET', status: 200, user: 'edgelb-node' });
  });

  test('the bearer token is accepted', async () => {
    const r = await call(srv, 'GET', '/api/v1/namespaces/default', undefined, { auth: 'token' });
    expect(r.status).toBe(200);
    expect(srv.requests.at(-1)?.user).toBe('edgelb-token');
  });

  test('no certificate and no token gets a 401 Status', async () => {
    const r = await call(srv, 'GET', '/api/v1/namespaces', undefined, { auth: 'none' });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
  });

  test('a wrong token is rejected even on discovery', async () => {
    const ca = readFileSync(srv.caFile, 'utf8');
    const r = await fetch(`${srv.url}/api`, {
      headers: { authorization: 'Bearer nope' },
      tls: { ca },
    } as RequestInit);
    expect(r.status).toBe(401);
  });

  test('a client certificate from another CA is rejected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgelb-rogue-ca-'));
    makeCa(dir, 'ca', 'rogue-ca');
    const rogue = issueCert(
      dir,
      'rogue',
      '/O=system:masters/CN=edgelb-node',
      'extendedKeyUsage=clientAuth\n',
    );
    const r = await fetch(`${srv.url}/api/v1/namespaces`, {
      tls: {
        ca: readFileSync(srv.caFile, 'utf8'),
        cert: readFileSync(rogue.cert, 'utf8'),
        key: readFileSync(rogue.key, 'utf8'),
      },
    } as RequestInit);
    expect(r.status).toBe(401);
  });

  test('the fault API is only for the certificate (admin) user', async () => {
    expect((await call(srv, 'POST', '/_test/faults/reset', {}, { auth: 'token' })).status).toBe(403);
    expect((await call(srv, 'POST', '/_test/faults/reset', {}, { auth: 'none' })).status).toBe(401);
    expect((await call(srv, 'POST', '/_test/faults/reset', {}, { auth: 'cert' })).status).toBe(200);
  });
});

describe('kubeconfigs', () => {
  test('all four forms point at the server with the right credentials', () => {
    const cert = parse(readFileSync(srv.kubeconfigCert, 'utf8'));
    expect(cert.clusters[0].cluster.server).toBe(srv.url);
    expect(Buffer.from(cert.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(
      readFileSync(srv.caFile, 'utf8'),
    );
    expect(cert.users[0].user['client-key-data']).toBeString();
    const files = parse(readFileSync(srv.kubeconfigCertFiles, 'utf8'));
    expect(files.users[0].user['client-certificate']).toBe(srv.clientCertFile);
    expect(files.clusters[0].cluster['certificate-authority']).toBe(srv.caFile);
    const token = parse(readFileSync(srv.kubeconfigToken, 'utf8'));
    expect(token.users[0].user.token).toBe(srv.token);
    const tokenFile = parse(readFileSync(srv.kubeconfigTokenFile, 'utf8'));
    expect(tokenFile.users[0].user.tokenFile).toBe(srv.tokenFile);
    expect(readFileSync(srv.tokenFile, 'utf8').trim()).toBe(srv.token);
  });
});
