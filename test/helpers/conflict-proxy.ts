// Tests only: a loopback HTTPS proxy in front of the API server that, on the first PATCH of a
// PostgresCluster, first edits that object itself (as another person would, between heal's read
// and its write) and then forwards heal's PATCH unchanged - so the 409 comes from the real API
// server, not from a stub. Everything else is passed through (streams included).
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { load, dump } from 'js-yaml';

const TLS = path.resolve(import.meta.dirname, '../fixtures/kube/tls');

export interface ConflictProxy {
  kubeconfig: string;
  /** PATCH requests to postgresclusters seen, in order, with the resourceVersion they carried. */
  patches: Array<{ path: string; resourceVersion?: string; status?: number }>;
  /** Set when the proxy made its own edit. */
  editedTo?: string;
  close(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export async function startConflictProxy(adminKubeconfig: string, dir: string, edit: (path: string) => Promise<string>): Promise<ConflictProxy> {
  const kc = load(readFileSync(adminKubeconfig, 'utf8')) as Any;
  const ctx = kc.contexts.find((c: Any) => c.name === kc['current-context']).context;
  const cluster = kc.clusters.find((c: Any) => c.name === ctx.cluster).cluster;
  const upstream = new URL(cluster.server);
  const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
  const state: ConflictProxy = { kubeconfig: '', patches: [], close: async () => {} };
  let edited = false;

  // TLS, as a real API server: the plugin sends no credentials over plain http (kubectl's rule).
  const server = https.createServer({ key: readFileSync(path.join(TLS, 'server.key')), cert: readFileSync(path.join(TLS, 'server.crt')) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const isPgcPatch = req.method === 'PATCH' && /\/postgresclusters\/[^/?]+(\?|$)/.test(req.url ?? '');
      let entry: ConflictProxy['patches'][number] | undefined;
      if (isPgcPatch) {
        let rv: string | undefined;
        try {
          rv = JSON.parse(body.toString('utf8'))?.metadata?.resourceVersion;
        } catch {
          rv = undefined;
        }
        entry = { path: req.url ?? '', resourceVersion: rv };
        state.patches.push(entry);
        const dryRun = /[?&]dryRun=All/.test(req.url ?? '');
        if (!edited && !dryRun) {
          edited = true;
          state.editedTo = await edit((req.url ?? '').split('?')[0]);
        }
      }
      const up = https.request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host }, agent },
        (ur) => {
          if (entry) entry.status = ur.statusCode;
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          ur.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const mine = structuredClone(kc);
  for (const c of mine.clusters) {
    if (c.name === ctx.cluster) c.cluster = { server: `https://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true };
  }
  state.kubeconfig = path.join(dir, 'proxy-kubeconfig');
  writeFileSync(state.kubeconfig, dump(mine), { mode: 0o600 });
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}
