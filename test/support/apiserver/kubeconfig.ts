/** Kubeconfig files in the four shapes edgelb must load: cert -data (k3s), cert files, token, token file. */
import { readFileSync, writeFileSync as writeSync } from 'node:fs';
import { stringify } from 'yaml';

export interface KubeconfigPaths {
  kubeconfigCert: string;
  kubeconfigCertFiles: string;
  kubeconfigToken: string;
  kubeconfigTokenFile: string;
}

function kubeconfig(
  server: string,
  cluster: Record<string, string>,
  user: Record<string, string>,
  name: string,
) {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'edgelb-test', cluster: { server, ...cluster } }],
    users: [{ name, user }],
    contexts: [{ name: 'edgelb-test', context: { cluster: 'edgelb-test', user: name } }],
    'current-context': 'edgelb-test',
    preferences: {},
  });
}

export function writeKubeconfigs(
  dir: string,
  server: string,
  pki: { caFile: string; clientCertFile: string; clientKeyFile: string },
  tokenFile: string,
  token: string,
): KubeconfigPaths {
  // 0600: the kubeconfigs hold credentials (edgelb warns about ones others can read)
  const writeFileSync = (p: string, text: string) => writeSync(p, text, { mode: 0o600 });
  const b64 = (f: string) => Buffer.from(readFileSync(f)).toString('base64');
  const paths = {
    kubeconfigCert: `${dir}/kubeconfig-cert.yaml`,
    kubeconfigCertFiles: `${dir}/kubeconfig-cert-files.yaml`,
    kubeconfigToken: `${dir}/kubeconfig-token.yaml`,
    kubeconfigTokenFile: `${dir}/kubeconfig-token-file.yaml`,
  };
  const caData = { 'certificate-authority-data': b64(pki.caFile) };
  writeFileSync(
    paths.kubeconfigCert,
    kubeconfig(
      server,
      caData,
      { 'client-certificate-data': b64(pki.clientCertFile), 'client-key-data': b64(pki.clientKeyFile) },
      'default',
    ),
  );
  writeFileSync(
    paths.kubeconfigCertFiles,
    kubeconfig(
      server,
      { 'certificate-authority': pki.caFile },
      { 'client-certificate': pki.clientCertFile, 'client-key': pki.clientKeyFile },
      'edgelb-node',
    ),
  );
  writeFileSync(paths.kubeconfigToken, kubeconfig(server, caData, { token }, 'edgelb-token'));
  writeFileSync(
    paths.kubeconfigTokenFile,
    kubeconfig(server, { 'certificate-authority': pki.caFile }, { tokenFile }, 'edgelb-token'),
  );
  return paths;
}
