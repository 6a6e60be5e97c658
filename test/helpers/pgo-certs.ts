// Tests only: the Secrets PGO v5.8.9 makes for a cluster's TLS (the recordings leave Secrets out),
// with real certificates from `openssl`, in the keys PGO's pod volumes read (see the recorded
// pods' `pgbackrest-server`, `pgbackrest-config`, `patroni-config` and `cert-volume` volumes).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KObject } from '../../lib/model/types.ts';

/** DNS names of a pod behind a headless Service, as PGO's pgBackRest configuration writes them
 *  (with the root dot) and without it. */
export const podFqdns = (pod: string, service: string, namespace: string): string[] =>
  [`${pod}.${service}.${namespace}.svc.cluster.local.`, `${pod}.${service}.${namespace}.svc.cluster.local`];

interface Pair { crt: string; key: string }

class Authority {
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'kpgo-certs-'));
  readonly crt: string;

  constructor() {
    this.openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=postgres-operator-ca']);
    this.crt = this.read('ca.crt');
  }

  private openssl(args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  }
  private read(f: string): string {
    return readFileSync(path.join(this.dir, f), 'utf8');
  }

  /** A leaf certificate: CN `cn`, DNS names `dns` (server) or client auth only. */
  issue(cn: string, dns: string[] = []): Pair {
    const n = `leaf${Math.random().toString(36).slice(2, 8)}`;
    this.openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', `${n}.key`, '-out', `${n}.csr`, '-subj', `/CN=${cn}`]);
    const ext = dns.length ? `subjectAltName=${dns.map((d) => `DNS:${d}`).join(',')}\nextendedKeyUsage=serverAuth,clientAuth\n`
      : 'extendedKeyUsage=clientAuth\n';
    writeFileSync(path.join(this.dir, `${n}.ext`), ext);
    this.openssl(['x509', '-req', '-in', `${n}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
      '-out', `${n}.crt`, '-extfile', `${n}.ext`]);
    return { crt: this.read(`${n}.crt`), key: this.read(`${n}.key`) };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const secret = (name: string, data: Record<string, string>): KObject => ({
  apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'Opaque',
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
} as KObject);

/**
 * The cluster's TLS Secrets: `<cluster>-pgbackrest` (CA roots, the client certificate whose CN
 * `pgbackrest@<cluster UID>` the servers' tls-server-auth accepts, the repo host's server pair),
 * `<instance>-certs` per instance (its pgBackRest server pair, Patroni's pair), and the cluster
 * and replication certificates of `/pgconf/tls`.
 */
export function clusterSecrets(o: { namespace: string; cluster: string; clusterUid: string; instances: string[]; repoHostPod: string }): KObject[] {
  const ca = new Authority();
  try {
    const svc = `${o.cluster}-pods`;
    const client = ca.issue(`pgbackrest@${o.clusterUid}`);
    const repoHost = ca.issue(o.repoHostPod, podFqdns(o.repoHostPod, svc, o.namespace));
    const out = [secret(`${o.cluster}-pgbackrest`, {
      'pgbackrest.ca-roots': ca.crt,
      'pgbackrest-client.crt': client.crt, 'pgbackrest-client.key': client.key,
      'pgbackrest-repo-host.crt': repoHost.crt, 'pgbackrest-repo-host.key': repoHost.key,
    })];
    for (const inst of o.instances) {
      const pod = `${inst}-0`;
      const server = ca.issue(pod, podFqdns(pod, svc, o.namespace));
      const patroni = ca.issue(pod, podFqdns(pod, svc, o.namespace));
      out.push(secret(`${inst}-certs`, {
        'pgbackrest-server.crt': server.crt, 'pgbackrest-server.key': server.key,
        'patroni.ca-roots': ca.crt, 'patroni.crt-combined': patroni.crt + patroni.key,
      }));
    }
    const primary = ca.issue(`${o.cluster}-primary.${o.namespace}.svc`, [`${o.cluster}-primary.${o.namespace}.svc`]);
    const repl = ca.issue('_crunchyrepl');
    out.push(secret(`${o.cluster}-cluster-cert`, { 'tls.crt': primary.crt, 'tls.key': primary.key, 'ca.crt': ca.crt }));
    out.push(secret(`${o.cluster}-replication-cert`, { 'tls.crt': repl.crt, 'tls.key': repl.key, 'ca.crt': ca.crt }));
    return out;
  } finally {
    ca.dispose();
  }
}
