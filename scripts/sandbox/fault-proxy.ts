// Test equipment: a loopback HTTPS proxy in front of the sandbox's kube-apiserver that injects
// faults into chosen requests - a connection reset, an HTTP status (500, 503, 429 with
// Retry-After, 403, 404, 422 with a Kubernetes Status body), a slow answer, or an answer cut off
// halfway - and passes everything else through unchanged (watch streams included). It records
// every request with what it did, so a test can say which writes reached the API server.
// Used by test/e2e/*/faults*.test.ts; never by the plugin.
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { dump, load } from 'js-yaml';

export type Fault =
  | { kind: 'reset' }
  | { kind: 'status'; status: number; retryAfter?: string; reason?: string; message?: string }
  | { kind: 'slow'; ms: number }
  | { kind: 'cut'; afterBytes: number };

export interface Rule {
  method?: string;
  /** Matched against the path and query. */
  path: RegExp;
  fault: Fault;
  /** Requests matching before the first faulted one (default 0). */
  skip?: number;
  /** How many matching requests get the fault (default: every one). */
  times?: number;
}

export interface Seen {
  method: string;
  url: string;
  /** The fault applied, or "passed" with the upstream status. */
  outcome: string;
  status?: number;
  body?: string;
}

export interface FaultProxy {
  kubeconfig: string;
  seen: Seen[];
  /** Replaces the rules (counts restart). */
  setRules(rules: Rule[]): void;
  /** Requests that reached the API server and wrote (not GET/dry run), with their status. */
  writes(): Seen[];
  close(): Promise<void>;
}

const TLS = path.resolve(import.meta.dirname, '../../test/fixtures/kube/tls');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const REASONS: Record<number, string> = { 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable' };

function statusBody(f: Extract<Fault, { kind: 'status' }>, url: string): string {
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: f.message ?? `injected by the fault proxy: ${f.status} for ${url.split('?')[0]}`,
    reason: f.reason ?? REASONS[f.status] ?? 'Unknown',
    code: f.status,
  });
}

export async function startFaultProxy(adminKubeconfig: string, dir: string, initial: Rule[] = []): Promise<FaultProxy> {
  const kc = load(readFileSync(adminKubeconfig, 'utf8')) as Any;
  const ctx = kc.contexts.find((c: Any) => c.name === kc['current-context']).context;
  const cluster = kc.clusters.find((c: Any) => c.name === ctx.cluster).cluster;
  const upstream = new URL(cluster.server);
  const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
  let rules: Array<Rule & { matched: number; faulted: number }> = [];
  const setRules = (rs: Rule[]) => (rules = rs.map((r) => ({ ...r, matched: 0, faulted: 0 })));
  setRules(initial);
  const seen: Seen[] = [];

  const pick = (method: string, url: string) => {
    for (const r of rules) {
      if ((r.method && r.method !== method) || !r.path.test(url)) continue;
      r.matched++;
      if (r.matched <= (r.skip ?? 0)) continue;
      if (r.times !== undefined && r.faulted >= r.times) continue;
      r.faulted++;
      return r.fault;
    }
    return undefined;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, entry: Seen, after?: (ur: IncomingMessage) => void) => {
    const up = https.request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host }, agent },
      (ur) => {
        entry.status = ur.statusCode;
        if (after) return after(ur);
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    up.end(body);
  };

  const server = https.createServer({ key: readFileSync(path.join(TLS, 'server.key')), cert: readFileSync(path.join(TLS, 'server.crt')) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const method = req.method ?? 'GET';
      const url = req.url ?? '';
      const fault = pick(method, url);
      const entry: Seen = { method, url, outcome: fault ? fault.kind : 'passed', body: method === 'GET' ? undefined : body.toString('utf8') };
      seen.push(entry);
      if (!fault) return forward(req, res, body, entry);
      switch (fault.kind) {
        case 'reset':
          entry.outcome = 'reset';
          req.socket.destroy();
          return;
        case 'status': {
          entry.outcome = `status ${fault.status}`;
          entry.status = fault.status;
          const headers: Record<string, string> = { 'Content-Type': 'application/json' };
          if (fault.retryAfter !== undefined) headers['Retry-After'] = fault.retryAfter;
          res.writeHead(fault.status, headers);
          res.end(statusBody(fault, url));
          return;
        }
        case 'slow':
          entry.outcome = `slow ${fault.ms}ms`;
          setTimeout(() => (res.destroyed ? undefined : forward(req, res, body, entry)), fault.ms);
          return;
        case 'cut':
          entry.outcome = `cut after ${fault.afterBytes} bytes`;
          // The request reaches the API server (a write is done); the answer breaks off.
          forward(req, res, body, entry, (ur) => {
            const got: Buffer[] = [];
            ur.on('data', (c: Buffer) => got.push(c));
            ur.on('end', () => {
              const all = Buffer.concat(got);
              const headers = { ...ur.headers };
              delete headers['content-length'];
              res.writeHead(ur.statusCode ?? 200, { ...headers, 'transfer-encoding': 'chunked' });
              res.write(all.subarray(0, Math.min(fault.afterBytes, Math.max(0, all.length - 1))));
              setTimeout(() => req.socket.destroy(), 20);
            });
          });
          return;
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const mine = structuredClone(kc);
  for (const c of mine.clusters) {
    if (c.name === ctx.cluster) c.cluster = { server: `https://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true };
  }
  const kubeconfig = path.join(dir, `fault-proxy-${port}.kubeconfig`);
  writeFileSync(kubeconfig, dump(mine), { mode: 0o600 });
  return {
    kubeconfig,
    seen,
    setRules,
    writes: () => seen.filter((s) => s.method !== 'GET' && !/[?&]dryRun=All/.test(s.url)),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
