// The TLS Secrets PGO makes for pgBackRest, so the pods' pgBackRest servers and clients can talk as
// PGO configures them: the namespace's root CA (`pgo-root-cacert`, root.crt/root.key, kept across
// clusters), `<cluster>-pgbackrest` (CA roots, the client certificate whose CN
// `pgbackrest@<cluster UID>` the servers' tls-server-auth accepts, the repo host's server pair) and
// `<instance>-certs` (the instance's pgBackRest server pair). Keys are the ones PGO's pod volumes
// project. Certificates come from `openssl` (ECDSA P-256, as PGO's are); once made they are kept,
// as PGO keeps valid ones.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KObj } from '../../kube/types.ts';
import type { Kube } from '../../kube/client.ts';
import { FIELD_MANAGER, LABEL, names } from './naming.ts';
import { ownerRef } from './objects.ts';
import { PATH } from './paths.ts';
import type { ClusterSpec } from './spec.ts';

const ROOT_SECRET = 'pgo-root-cacert';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined) => (s ? Buffer.from(s, 'base64').toString('utf8') : '');

/** The pod's DNS names behind the `<cluster>-pods` headless Service, with and without the root dot. */
function podNames(c: ClusterSpec, pod: string): string[] {
  const fqdn = `${pod}.${names.podService(c.name)}.${c.namespace}.svc.cluster.local`;
  return [`${fqdn}.`, fqdn];
}

function withOpenSSL<T>(f: (run: (args: string[]) => void, dir: string) => T): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pgo-model-certs-'));
  try {
    return f((args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] }), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

// openssl takes tens of milliseconds a certificate: one root per process, one leaf per name set
// (a namespace's root Secret still holds whichever root was kept first).
let processRoot: { crt: string; key: string } | undefined;
const leaves = new Map<string, { crt: string; key: string }>();

function newRoot(): { crt: string; key: string } {
  processRoot ??= withOpenSSL((run, dir) => {
    run(['req', '-x509', ...EC, '-keyout', 'root.key', '-out', 'root.crt', '-days', '3650', '-subj', '/CN=postgres-operator-ca']);
    return { crt: readFileSync(path.join(dir, 'root.crt'), 'utf8'), key: readFileSync(path.join(dir, 'root.key'), 'utf8') };
  });
  return processRoot;
}

/** A leaf signed by the root: a server (DNS names) or, without names, a client certificate. */
function issue(root: { crt: string; key: string }, cn: string, dns: string[] = [], use = ''): { crt: string; key: string } {
  const id = JSON.stringify([root.crt, cn, dns, use]);
  const known = leaves.get(id);
  if (known) return known;
  const made = withOpenSSL((run, dir) => {
    writeFileSync(path.join(dir, 'root.crt'), root.crt);
    writeFileSync(path.join(dir, 'root.key'), root.key, { mode: 0o600 });
    writeFileSync(path.join(dir, 'ext'), dns.length ? `subjectAltName=${dns.map((d) => `DNS:${d}`).join(',')}\nextendedKeyUsage=serverAuth,clientAuth\n` : 'extendedKeyUsage=clientAuth\n');
    run(['req', '-new', ...EC, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${cn}`]);
    run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'root.crt', '-CAkey', 'root.key', '-CAcreateserial', '-days', '365', '-out', 'leaf.crt', '-extfile', 'ext']);
    return { crt: readFileSync(path.join(dir, 'leaf.crt'), 'utf8'), key: readFileSync(path.join(dir, 'leaf.key'), 'utf8') };
  });
  leaves.set(id, made);
  return made;
}

/** Keeps a Secret whose data already has every key; otherwise writes `make()`'s data. */
async function keep(kube: Kube, c: ClusterSpec, name: string, labels: Record<string, string>, owned: boolean, keys: string[], make: () => Record<string, string>): Promise<Record<string, string>> {
  const existing = await kube.getOrNull(PATH.Secret(c.namespace, name));
  if (existing && keys.every((k) => existing.data?.[k])) return Object.fromEntries(keys.map((k) => [k, unb64(existing.data[k])]));
  const data = make();
  const secret: KObj = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: c.namespace, labels, ...(owned ? { ownerReferences: [ownerRef(c)] } : {}) },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
  await kube.apply(PATH.Secret(c.namespace, name), secret, FIELD_MANAGER);
  return data;
}

/** reconcileRootCertificate: one root per namespace, shared by its clusters. */
export async function rootCertificate(kube: Kube, c: ClusterSpec): Promise<{ crt: string; key: string }> {
  const d = await keep(kube, c, ROOT_SECRET, {}, false, ['root.crt', 'root.key'], () => {
    const r = newRoot();
    return { 'root.crt': r.crt, 'root.key': r.key };
  });
  return { crt: d['root.crt'], key: d['root.key'] };
}

/** `<cluster>-pgbackrest`: CA roots, client pair, repo host server pair. */
export async function pgbackrestSecret(kube: Kube, c: ClusterSpec, root: { crt: string; key: string }): Promise<void> {
  const repoHost = `${names.repoHost(c.name)}-0`;
  await keep(kube, c, names.pgbackrestSecret(c.name), { [LABEL.cluster]: c.name, [LABEL.pgbackrest]: '' }, true,
    ['pgbackrest.ca-roots', 'pgbackrest-client.crt', 'pgbackrest-client.key', 'pgbackrest-repo-host.crt', 'pgbackrest-repo-host.key'], () => {
      const client = issue(root, `pgbackrest@${c.uid}`);
      const server = issue(root, repoHost, podNames(c, repoHost));
      return {
        'pgbackrest.ca-roots': root.crt,
        'pgbackrest-client.crt': client.crt,
        'pgbackrest-client.key': client.key,
        'pgbackrest-repo-host.crt': server.crt,
        'pgbackrest-repo-host.key': server.key,
      };
    });
}

/** `<instance>-certs`: the instance's pgBackRest server pair (and Patroni's, for the keys PGO projects). */
export async function instanceCertificates(kube: Kube, c: ClusterSpec, instance: string, root: { crt: string; key: string }): Promise<void> {
  const pod = `${instance}-0`;
  await keep(kube, c, names.instanceCerts(instance), { [LABEL.cluster]: c.name, [LABEL.instance]: instance }, true,
    ['pgbackrest-server.crt', 'pgbackrest-server.key', 'patroni.ca-roots', 'patroni.crt-combined'], () => {
      const server = issue(root, pod, podNames(c, pod));
      const patroni = issue(root, pod, podNames(c, pod), 'patroni');
      return { 'pgbackrest-server.crt': server.crt, 'pgbackrest-server.key': server.key, 'patroni.ca-roots': root.crt, 'patroni.crt-combined': patroni.crt + patroni.key };
    });
}
