// Tests only: the kubelet of the e2e test node, for pods/log. The apiserver proxies
// GET pods/NAME/log to https://<node address>:<kubeletEndpoint port>/containerLogs/NS/POD/CONTAINER
// with the same query (it does not verify the kubelet's certificate in the sandbox: no
// --kubelet-certificate-authority). This server answers from logs the tests register, applying
// tailLines, then sinceSeconds, then limitBytes in the kubelet's order (k8s.io/cri-client/pkg/logs),
// and records what it was asked.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { apiOk } from './sandbox.ts';
import { TEST_NODE } from './pgo-cluster.ts';

const TLS = path.resolve(import.meta.dirname, '../fixtures/kube/tls');

export interface LogLine {
  /** When the runtime wrote it (the kubelet filters sinceSeconds by this time). */
  at: Date;
  text: string;
}

export interface LogRequest {
  namespace: string;
  pod: string;
  container: string;
  query: Record<string, string>;
}

const logs = new Map<string, LogLine[]>();
export const logRequests: LogRequest[] = [];
let server: https.Server | undefined;
let users = 0;

/** The container log of NS/POD/CONTAINER from now on (replaces what was there). */
export function setContainerLog(namespace: string, pod: string, container: string, lines: LogLine[]): void {
  logs.set(`${namespace}/${pod}/${container}`, lines);
}

function answer(lines: LogLine[], q: URLSearchParams): string {
  let picked = lines;
  const tail = q.get('tailLines');
  if (tail !== null) picked = picked.slice(Math.max(0, picked.length - Number(tail)));
  const since = q.get('sinceSeconds');
  if (since !== null) {
    const from = Date.now() - Number(since) * 1000;
    picked = picked.filter((l) => l.at.getTime() >= from);
  }
  let text = picked.map((l) => `${l.text}\n`).join('');
  const limit = q.get('limitBytes');
  if (limit !== null) text = Buffer.from(text).subarray(0, Number(limit)).toString('utf8');
  return text;
}

/** Starts the server (once per process) and points the test node's kubelet endpoint at it. */
export async function startFakeKubelet(): Promise<() => Promise<void>> {
  users++;
  if (!server) {
    const s = https.createServer({ key: readFileSync(path.join(TLS, 'server.key')), cert: readFileSync(path.join(TLS, 'server.crt')) }, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://kubelet');
      const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (req.method !== 'GET' || !m) {
        res.writeHead(404).end('not found');
        return;
      }
      const [, namespace, pod, container] = m.map(decodeURIComponent);
      logRequests.push({ namespace, pod, container, query: Object.fromEntries(url.searchParams) });
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(answer(logs.get(`${namespace}/${pod}/${container}`) ?? [], url.searchParams));
    });
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    server = s;
    const port = (s.address() as AddressInfo).port;
    await apiOk('PATCH', `/api/v1/nodes/${TEST_NODE}/status`, {
      status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
    }, { contentType: 'application/merge-patch+json' });
  }
  return async () => {
    users--;
    if (users > 0 || !server) return;
    const s = server;
    server = undefined;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };
}
