// A small Kubernetes API client for the operator model: kubeconfig (token or client certificate),
// JSON requests, server-side apply, merge patches and streaming watches over node:https.
// Deliberately independent of lib/: the model must not share the plugin's code paths.
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as http from 'node:http';
import { load } from 'js-yaml';

export interface KObj {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerRef[];
    [k: string]: unknown;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  status?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [k: string]: any;
}

export interface OwnerRef {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Connection {
  server: URL;
  token?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecure: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

function dataOrFile(data: string | undefined, file: string | undefined): Buffer | undefined {
  if (data) return Buffer.from(data, 'base64');
  if (file) return fs.readFileSync(file);
  return undefined;
}

/** Reads the current context of one kubeconfig file (the sandbox writes exactly one). */
export function loadKubeconfig(path: string): Connection {
  const doc = load(fs.readFileSync(path, 'utf8')) as Any;
  const ctxName = doc['current-context'];
  const ctx = (doc.contexts ?? []).find((c: Any) => c.name === ctxName)?.context;
  if (!ctx) throw new Error(`kubeconfig ${path}: current context ${ctxName} not found`);
  const cluster = (doc.clusters ?? []).find((c: Any) => c.name === ctx.cluster)?.cluster;
  const user = (doc.users ?? []).find((u: Any) => u.name === ctx.user)?.user ?? {};
  if (!cluster) throw new Error(`kubeconfig ${path}: cluster ${ctx.cluster} not found`);
  return {
    server: new URL(cluster.server),
    token: user.token ?? (user.tokenFile ? fs.readFileSync(user.tokenFile, 'utf8').trim() : undefined),
    ca: dataOrFile(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: dataOrFile(user['client-certificate-data'], user['client-certificate']),
    key: dataOrFile(user['client-key-data'], user['client-key']),
    insecure: cluster['insecure-skip-tls-verify'] === true,
  };
}

export type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export class Kube {
  private readonly agent: https.Agent | http.Agent;

  constructor(private readonly conn: Connection) {
    this.agent =
      conn.server.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: 16, ca: conn.ca, cert: conn.cert, key: conn.key, rejectUnauthorized: !conn.insecure })
        : new http.Agent({ keepAlive: true, maxSockets: 16 });
  }

  private open(method: string, path: string, headers: Record<string, string>): http.ClientRequest {
    const mod = this.conn.server.protocol === 'https:' ? https : http;
    const h: Record<string, string> = { Accept: 'application/json', ...headers };
    if (this.conn.token) h.Authorization = `Bearer ${this.conn.token}`;
    return mod.request({
      host: this.conn.server.hostname,
      port: this.conn.server.port,
      method,
      path,
      headers: h,
      agent: this.agent,
    });
  }

  async request<T = Any>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = this.open(method, path, payload ? { 'Content-Type': contentType } : {});
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: timeout`)));
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            resolve((text ? JSON.parse(text) : {}) as T);
            return;
          }
          let reason = 'Unknown';
          let message = text.trim() || `HTTP ${status}`;
          try {
            const s = JSON.parse(text);
            reason = s.reason ?? reason;
            message = s.message ?? message;
          } catch {
            /* not a Status */
          }
          reject(new ApiError(status, reason, message));
        });
      });
      if (payload) req.write(payload);
      req.end();
    });
  }

  get<T = KObj>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  async getOrNull<T = KObj>(path: string): Promise<T | null> {
    try {
      return await this.get<T>(path);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  }

  async list(path: string, labelSelector?: string): Promise<{ items: KObj[]; resourceVersion: string }> {
    const q = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    const res = await this.get<Any>(path + q);
    return { items: res.items ?? [], resourceVersion: res.metadata?.resourceVersion ?? '' };
  }

  /** Server-side apply, as PGO writes every object it owns (field manager postgrescluster-controller). */
  apply(path: string, obj: KObj, fieldManager: string): Promise<KObj> {
    return this.request<KObj>('PATCH', `${path}?fieldManager=${encodeURIComponent(fieldManager)}&force=true`, obj, 'application/apply-patch+yaml');
  }

  mergePatch(path: string, patch: unknown, fieldManager?: string): Promise<KObj> {
    const q = fieldManager ? `?fieldManager=${encodeURIComponent(fieldManager)}` : '';
    return this.request<KObj>('PATCH', path + q, patch, 'application/merge-patch+json');
  }

  create(path: string, obj: KObj): Promise<KObj> {
    return this.request<KObj>('POST', path, obj);
  }

  async delete(path: string, preconditions?: { uid?: string; resourceVersion?: string }): Promise<void> {
    try {
      await this.request('DELETE', path, preconditions ? { apiVersion: 'v1', kind: 'DeleteOptions', preconditions } : undefined);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return;
      throw e;
    }
  }

  /**
   * Streams one watch until the server ends it, an error occurs or the signal aborts.
   * Resolves with the last resourceVersion seen ('' when the watch expired: relist).
   */
  watch(path: string, resourceVersion: string, onEvent: (type: WatchType, obj: KObj) => void, signal: AbortSignal): Promise<string> {
    const q = `?watch=1&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=${encodeURIComponent(resourceVersion)}`;
    return new Promise<string>((resolve, reject) => {
      let last = resourceVersion;
      let expired = false;
      const req = this.open('GET', path + q, {});
      const abort = () => req.destroy();
      signal.addEventListener('abort', abort, { once: true });
      req.on('error', (e) => {
        signal.removeEventListener('abort', abort);
        if (signal.aborted || expired) resolve(last);
        else reject(e);
      });
      req.on('response', (res) => {
        if ((res.statusCode ?? 0) >= 300) {
          res.resume();
          signal.removeEventListener('abort', abort);
          reject(new ApiError(res.statusCode ?? 0, 'WatchFailed', `watch ${path}: HTTP ${res.statusCode}`));
          return;
        }
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line) continue;
            const ev = JSON.parse(line) as { type: WatchType; object: KObj };
            if (ev.type === 'ERROR') {
              // 410 Gone: our resourceVersion is too old; the caller relists.
              last = '';
              expired = true;
              req.destroy();
              return;
            }
            last = ev.object?.metadata?.resourceVersion ?? last;
            if (ev.type !== 'BOOKMARK') onEvent(ev.type, ev.object);
          }
        });
        res.on('end', () => {
          signal.removeEventListener('abort', abort);
          resolve(last);
        });
        res.on('error', () => {
          signal.removeEventListener('abort', abort);
          resolve(last);
        });
      });
      req.end();
    });
  }
}
