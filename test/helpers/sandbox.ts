// Tests only: reach the cluster the end-to-end tests run against - the sandbox
// (npm run sandbox -- up) by default, or any cluster named by KPGO_TEST_KUBECONFIG (a user's
// kind or k3d) - with real kubectl, a small raw HTTPS client, and waiting helpers.
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type http from 'node:http';
import path from 'node:path';
import { dump, load } from 'js-yaml';
import { kubectlPath, kubectlPgoWith, kubectlWith, repoRoot, type RunOptions, type RunResult } from './kubectl.ts';

export { kubectlPath, repoRoot, describeRun, type RunResult } from './kubectl.ts';

export const sharedDir = path.resolve(repoRoot, '../shared');
// SANDBOX_DIR as sandbox.sh reads it, so a second sandbox (another worker's) can run its own tests.
export const sandboxDir = process.env.SANDBOX_DIR ? path.resolve(process.env.SANDBOX_DIR) : path.join(repoRoot, '.sandbox');

/** The admin kubeconfig the tests use: $KPGO_TEST_KUBECONFIG, else the sandbox's. */
export function adminKubeconfigPath(): string {
  const fromEnv = process.env.KPGO_TEST_KUBECONFIG;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`KPGO_TEST_KUBECONFIG=${fromEnv}: no such file`);
    return fromEnv;
  }
  const file = path.join(sandboxDir, 'kubeconfig');
  if (!existsSync(file)) throw new Error('the sandbox is not up: run `npm run sandbox -- up`, or set KPGO_TEST_KUBECONFIG to a cluster of your own');
  return file;
}

/** True when the tests run against our own sandbox (some tests read its token file). */
export const usingSandbox = () => !process.env.KPGO_TEST_KUBECONFIG;

/** The PGO CRD version the suite is meant for: $PGO_CRDS (set by the e2e phases), default v5.8.9. */
export const pgoCrds = (): 'v5.8.9' | 'v6.0.3' => (process.env.PGO_CRDS === 'v6.0.3' ? 'v6.0.3' : 'v5.8.9');

export function kubectl(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return kubectlWith(opts.kubeconfig ?? adminKubeconfigPath(), args, opts);
}

/** Like kubectl() but throws with kubectl's own message on a non-zero exit. */
export async function kubectlOk(args: string[], opts: RunOptions = {}): Promise<string> {
  const r = await kubectl(args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: exit ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** `kubectl pgo ARGS` through real kubectl, with the admin kubeconfig unless told otherwise. */
export function kubectlPgo(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return kubectlPgoWith(opts.kubeconfig ?? adminKubeconfigPath(), args, opts);
}

// ---------------------------------------------------------------------------------------------
// A raw HTTPS client: exact verbs, content types and status codes, no library in between.

interface Conn {
  server: string;
  headers: Record<string, string>;
  agent: https.Agent;
}

const conns = new Map<string, Conn>();

function fileOrData(dataB64: string | undefined, file: string | undefined, base: string): Buffer | undefined {
  if (dataB64) return Buffer.from(dataB64, 'base64');
  if (file) return readFileSync(path.resolve(base, file));
  return undefined;
}

/** Server and credentials of a kubeconfig's current context (token, client certificate, CA). */
function connFor(kubeconfig: string): Conn {
  const cached = conns.get(kubeconfig);
  if (cached) return cached;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const kc = load(readFileSync(kubeconfig, 'utf8')) as any;
  const base = path.dirname(kubeconfig);
  const ctx = kc.contexts?.find((c: { name: string }) => c.name === kc['current-context'])?.context;
  if (!ctx) throw new Error(`${kubeconfig}: no current context`);
  const cluster = kc.clusters?.find((c: { name: string }) => c.name === ctx.cluster)?.cluster;
  const user = kc.users?.find((u: { name: string }) => u.name === ctx.user)?.user ?? {};
  if (!cluster?.server) throw new Error(`${kubeconfig}: context ${kc['current-context']} has no server`);
  const headers: Record<string, string> = {};
  const token = user.token ?? (user.tokenFile ? readFileSync(path.resolve(base, user.tokenFile), 'utf8').trim() : undefined);
  if (token) headers.authorization = `Bearer ${token}`;
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: 16,
    rejectUnauthorized: !cluster['insecure-skip-tls-verify'],
    ca: fileOrData(cluster['certificate-authority-data'], cluster['certificate-authority'], base),
    cert: fileOrData(user['client-certificate-data'], user['client-certificate'], base),
    key: fileOrData(user['client-key-data'], user['client-key'], base),
  });
  const conn = { server: String(cluster.server).replace(/\/$/, ''), headers, agent };
  conns.set(kubeconfig, conn);
  return conn;
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  text: string;
  headers: http.IncomingHttpHeaders;
}

export interface ApiOptions {
  kubeconfig?: string;
  /** Default application/json; say application/merge-patch+json etc. for PATCH. */
  contentType?: string;
  accept?: string;
  /** Sent as Accept-Encoding (the body is then left as the server encoded it). */
  acceptEncoding?: string;
}

/** One API request. Resolves with any status (assert on it); rejects only when nothing answered. */
export function api<T = any>(method: string, urlPath: string, body?: unknown, opts: ApiOptions = {}): Promise<ApiResponse<T>> {
  return apiOnce<T>(method, urlPath, body, opts).catch((e: Error & { code?: string; reusedSocket?: boolean }) => {
    // A kept-alive connection the server closed as we reused it: the request never reached it
    // (Node's documented case for one retry), seen as "socket hang up" in after-hooks.
    if (e.reusedSocket && e.code === 'ECONNRESET') return apiOnce<T>(method, urlPath, body, opts);
    throw e;
  });
}

function apiOnce<T>(method: string, urlPath: string, body: unknown, opts: ApiOptions): Promise<ApiResponse<T>> {
  const conn = connFor(opts.kubeconfig ?? adminKubeconfigPath());
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${conn.server}${urlPath}`,
      {
        method,
        agent: conn.agent,
        headers: {
          ...conn.headers,
          accept: opts.accept ?? 'application/json',
          ...(opts.acceptEncoding ? { 'accept-encoding': opts.acceptEncoding } : {}),
          // An explicit length: the apiserver answers a chunked DELETE body with a bare 400.
          ...(payload !== undefined ? { 'content-type': opts.contentType ?? 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
        timeout: 60_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let parsed: unknown = text;
          if ((res.headers['content-type'] ?? '').includes('json')) {
            try {
              parsed = JSON.parse(text);
            } catch {
              /* keep the text */
            }
          }
          resolve({ status: res.statusCode ?? 0, body: parsed as T, text, headers: res.headers });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: timed out`)));
    req.on('error', (e: Error & { reusedSocket?: boolean }) => {
      e.reusedSocket = req.reusedSocket;
      reject(e);
    });
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** api() that throws unless the status is 2xx (or one of `accept`). */
export async function apiOk<T = any>(method: string, urlPath: string, body?: unknown, opts: ApiOptions & { okStatus?: number[] } = {}): Promise<T> {
  const r = await api<T>(method, urlPath, body, opts);
  if ((r.status < 200 || r.status > 299) && !(opts.okStatus ?? []).includes(r.status)) {
    throw new Error(`${method} ${urlPath}: HTTP ${r.status}: ${r.text.slice(0, 400)}`);
  }
  return r.body;
}

// ---------------------------------------------------------------------------------------------
// Namespaces, objects, waiting.

/** A name unique to this run: prefix + random suffix, valid as a namespace name. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Creates a namespace and its `default` ServiceAccount (a bare apiserver has no controller
 *  that makes it, and pod creates are refused without it). Idempotent. */
export async function createNamespace(name: string, opts: { kubeconfig?: string; labels?: Record<string, string> } = {}): Promise<void> {
  const k = { kubeconfig: opts.kubeconfig };
  await apiOk('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kpgo.test/e2e': 'true', ...opts.labels } } }, { ...k, okStatus: [409] });
  await apiOk('POST', `/api/v1/namespaces/${name}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } }, { ...k, okStatus: [409] });
}

/** Resources a test namespace may hold, deleted one by one before the namespace: without a
 *  controller manager nothing would garbage-collect them, remove the PVC protection finalizer
 *  or finish a namespace's deletion. */
const NAMESPACED_CLEANUP = [
  '/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/NS/postgresclusters',
  '/apis/apps/v1/namespaces/NS/statefulsets',
  '/apis/apps/v1/namespaces/NS/deployments',
  '/apis/batch/v1/namespaces/NS/jobs',
  '/api/v1/namespaces/NS/pods',
  '/api/v1/namespaces/NS/persistentvolumeclaims',
  '/api/v1/namespaces/NS/endpoints',
  '/api/v1/namespaces/NS/services',
  '/api/v1/namespaces/NS/configmaps',
  '/api/v1/namespaces/NS/events',
  '/api/v1/namespaces/NS/secrets',
  '/api/v1/namespaces/NS/serviceaccounts',
  '/apis/rbac.authorization.k8s.io/v1/namespaces/NS/rolebindings',
  '/apis/rbac.authorization.k8s.io/v1/namespaces/NS/roles',
];

/** Deletes everything a test made in a namespace, then the namespace. Finalizers are removed
 *  and pods deleted with grace period 0 (no kubelet would ever confirm). */
export async function deleteNamespace(name: string, opts: { kubeconfig?: string } = {}): Promise<void> {
  const k = { kubeconfig: opts.kubeconfig };
  for (const tmpl of NAMESPACED_CLEANUP) {
    const base = tmpl.replace('NS', name);
    const list = await api<{ items?: Array<{ metadata: { name: string; finalizers?: string[] } }> }>('GET', base, undefined, k);
    if (list.status !== 200) continue; // resource not served (e.g. no PGO CRDs)
    await Promise.all(
      (list.body.items ?? []).map(async (o) => {
        const url = `${base}/${o.metadata.name}`;
        if (o.metadata.finalizers?.length) {
          await api('PATCH', url, { metadata: { finalizers: null } }, { ...k, contentType: 'application/merge-patch+json' });
        }
        await api('DELETE', url, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, propagationPolicy: 'Background' }, k);
      }),
    );
  }
  await api('DELETE', `/api/v1/namespaces/${name}`, undefined, k);
  // What the namespace controller does once a namespace is empty; without a controller manager
  // the namespace would stay Terminating for ever.
  const ns = await api<{ spec?: { finalizers?: string[] } }>('GET', `/api/v1/namespaces/${name}`, undefined, k);
  if (ns.status === 200 && ns.body.spec?.finalizers?.length) {
    await api('PUT', `/api/v1/namespaces/${name}/finalize`, { ...ns.body, spec: { finalizers: [] } }, k);
  }
}

/** `kubectl apply --server-side` of YAML text or objects (a List is made of an array). */
export async function applyYaml(objects: string | object | object[], opts: { kubeconfig?: string; namespace?: string } = {}): Promise<string> {
  const text = typeof objects === 'string' ? objects : dump(Array.isArray(objects) ? { apiVersion: 'v1', kind: 'List', items: objects } : objects, { noRefs: true });
  const args = ['apply', '--server-side', '--force-conflicts', '--field-manager=kpgo-e2e', '-f', '-'];
  if (opts.namespace) args.push('-n', opts.namespace);
  return kubectlOk(args, { kubeconfig: opts.kubeconfig, input: text });
}

/** Polls `probe` until it returns a value other than undefined/false; throws after the timeout. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
}

/** Waits until a CRD's plural is served (discovery knows it) in the given group version. */
export function waitForResource(groupVersion: string, plural: string, opts: { kubeconfig?: string; timeoutMs?: number } = {}): Promise<true> {
  return waitFor(`${plural}.${groupVersion} to be served`, async () => {
    const r = await api<{ resources?: Array<{ name: string }> }>('GET', `/apis/${groupVersion}`, undefined, { kubeconfig: opts.kubeconfig });
    return r.status === 200 && (r.body.resources ?? []).some((x) => x.name === plural) ? true : undefined;
  }, { timeoutMs: opts.timeoutMs });
}

// ---------------------------------------------------------------------------------------------
// The apiserver's own request counter.

/** apiserver_request_total series: labels -> count. */
export async function apiserverRequestCounters(opts: { kubeconfig?: string } = {}): Promise<Map<string, { labels: Record<string, string>; value: number }>> {
  const r = await api<string>('GET', '/metrics', undefined, { kubeconfig: opts.kubeconfig, accept: 'text/plain' });
  if (r.status !== 200) throw new Error(`GET /metrics: HTTP ${r.status}: ${r.text.slice(0, 200)}`);
  const out = new Map<string, { labels: Record<string, string>; value: number }>();
  for (const line of r.text.split('\n')) {
    const m = /^apiserver_request_total\{(.*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of m[1].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    out.set(m[1], { labels, value: Number(m[2]) });
  }
  return out;
}

/** Requests counted between two snapshots of apiserver_request_total, keeping series `keep` accepts. */
/** Series a `status` run can cause: reads (GET, LIST) of resources and discovery, and the
 *  operator's log (a GET of pods/log, which the apiserver counts as CONNECT). Left out:
 *  writes, watches and leases (the apiserver's own informers and heartbeats), and non-resource
 *  paths (/metrics, /readyz, /openapi/v3 - the apiserver fetches those itself now and then). */
export const pluginLikeRequest = (l: Record<string, string>) =>
  l.group !== 'coordination.k8s.io' &&
  (['GET', 'LIST'].includes(l.verb) || (l.verb === 'CONNECT' && l.subresource === 'log')) &&
  !(l.resource === '' && !['api', 'apis'].includes(l.subresource));

export function requestDelta(
  before: Awaited<ReturnType<typeof apiserverRequestCounters>>,
  after: Awaited<ReturnType<typeof apiserverRequestCounters>>,
  keep: (labels: Record<string, string>) => boolean = () => true,
): { total: number; bySeries: Array<{ labels: Record<string, string>; count: number }> } {
  const bySeries: Array<{ labels: Record<string, string>; count: number }> = [];
  let total = 0;
  for (const [key, s] of after) {
    if (!keep(s.labels)) continue;
    const count = s.value - (before.get(key)?.value ?? 0);
    if (count > 0) {
      bySeries.push({ labels: s.labels, count });
      total += count;
    }
  }
  return { total, bySeries };
}
