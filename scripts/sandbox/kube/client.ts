// The sandbox's one Kubernetes client (the operator model and its supervisor, the pods runtime,
// the volume provisioner), on @kubernetes/client-node 1.4.0: its KubeConfig (loading, credentials,
// TLS), its HTTP transport, its PatchStrategy content types, its Watch and informers, its Exec.
// Requests are by API path and carry the API's JSON as it is, both ways: client-node's typed
// (de)serializers turn timestamps into Date objects and drop fields its generated models lack,
// and the model is compared field by field with objects the real PGO wrote.
// Never imports lib/: the test equipment does not share the plugin's code paths.
import * as http from 'node:http';
import * as https from 'node:https';
import { PassThrough } from 'node:stream';
import {
  Exec,
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  KubeConfig,
  PatchStrategy,
  RequestContext,
  ListWatch,
  Watch,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
  type V1Status,
} from '@kubernetes/client-node';
import { ApiError, type KObj } from './types.ts';

export * from './types.ts';
export { PatchStrategy };

/**
 * client-node's ListWatch as it behaves here: its objects are the API's JSON, where its types
 * say KubernetesObject (Date timestamps), hence this interface of its own methods.
 */
export interface KInformer extends ObjectCache<KObj> {
  on(verb: 'add' | 'update' | 'delete', cb: (o: KObj) => void): void;
  on(verb: 'error' | 'connect', cb: (err?: unknown) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  latestResourceVersion(): string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const TIMEOUT_MS = 30_000;

/** A command run in a pod: its exit code (1 when the API or the connection failed) and output. */
export interface ExecRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** An exec's exit from its error-channel Status: kwok reports a failed command as an InternalError. */
export function execExit(st: V1Status): { code: number; message?: string } {
  if (st.status === 'Success') return { code: 0 };
  const exit = st.reason === 'NonZeroExitCode' ? Number(st.details?.causes?.find((c) => c.reason === 'ExitCode')?.message) : NaN;
  return Number.isInteger(exit) ? { code: exit } : { code: 1, message: st.message ?? 'exec failed' };
}

export class Kube {
  private readonly http = new IsomorphicFetchHttpLibrary();
  // An object of its own: readThroughCache's reader (Object.create of this) shares the agent.
  private readonly shared: { agent?: Promise<http.Agent> } = {};

  constructor(readonly config: KubeConfig) {}

  /** The current context of one kubeconfig file (the sandbox writes exactly one). */
  static fromFile(file: string): Kube {
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    return new Kube(kc);
  }

  /** The sandbox's admin: APISERVER_URL and ADMIN_TOKEN from .sandbox/env (loopback, TLS unchecked). */
  static fromEnv(): Kube {
    const server = process.env.APISERVER_URL;
    const token = process.env.ADMIN_TOKEN;
    if (!server || !token) throw new Error('APISERVER_URL and ADMIN_TOKEN must be set (source .sandbox/env)');
    const kc = new KubeConfig();
    kc.loadFromClusterAndUser({ name: 'sandbox', server, skipTLSVerify: true }, { name: 'admin', token });
    return new Kube(kc);
  }

  get server(): string {
    return this.config.getCurrentCluster()?.server ?? '';
  }

  /**
   * One keep-alive agent with the kubeconfig's TLS settings: client-node 1.4.0 builds a new
   * https.Agent for every request (a TLS handshake each, on both sides), and a reconcile makes dozens.
   */
  private keepAliveAgent(): Promise<http.Agent> {
    this.shared.agent ??= (async () => {
      const o: https.RequestOptions = {};
      await this.config.applyToHTTPSOptions(o);
      if (this.server.startsWith('http:')) return new http.Agent({ keepAlive: true, maxSockets: 16 });
      return new https.Agent({ keepAlive: true, maxSockets: 16, ca: o.ca, cert: o.cert, key: o.key, rejectUnauthorized: o.rejectUnauthorized });
    })();
    return this.shared.agent;
  }

  async request<T = Any>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const ctx = new RequestContext(this.server + path, method as HttpMethod);
    await this.config.applySecurityAuthentication(ctx);
    ctx.setAgent(await this.keepAliveAgent());
    ctx.setHeaderParam('Accept', 'application/json');
    if (body !== undefined) {
      ctx.setHeaderParam('Content-Type', contentType);
      ctx.setBody(JSON.stringify(body));
    }
    ctx.setSignal(AbortSignal.timeout(TIMEOUT_MS));
    const res = await this.http.send(ctx).toPromise().catch((e: Error) => {
      throw new Error(`${method} ${path}: ${e.name === 'AbortError' || e.name === 'TimeoutError' ? 'timeout' : e.message}`);
    });
    const text = await res.body.text();
    if (res.httpStatusCode >= 200 && res.httpStatusCode < 300) return (text ? JSON.parse(text) : {}) as T;
    let reason = 'Unknown';
    let message = text.trim() || `HTTP ${res.httpStatusCode}`;
    try {
      const s = JSON.parse(text);
      reason = s.reason ?? reason;
      message = s.message ?? message;
    } catch {
      /* not a Status */
    }
    throw new ApiError(res.httpStatusCode, reason, message);
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

  /** Server-side apply, as PGO writes every object it owns (with its field manager, forced). */
  apply(path: string, obj: KObj, fieldManager: string): Promise<KObj> {
    return this.patch(`${path}?fieldManager=${encodeURIComponent(fieldManager)}&force=true`, obj, PatchStrategy.ServerSideApply);
  }

  patch<T = KObj>(path: string, body: unknown, strategy: PatchStrategy): Promise<T> {
    return this.request<T>('PATCH', path, body, strategy);
  }

  mergePatch(path: string, patch: unknown, fieldManager?: string): Promise<KObj> {
    const q = fieldManager ? `?fieldManager=${encodeURIComponent(fieldManager)}` : '';
    return this.patch(path + q, patch, PatchStrategy.MergePatch);
  }

  create<T = KObj>(path: string, obj: unknown): Promise<T> {
    return this.request<T>('POST', path, obj);
  }

  /** Deletes; a 404 is success (already gone). */
  async delete(path: string, preconditions?: { uid?: string; resourceVersion?: string }): Promise<void> {
    try {
      await this.request('DELETE', path, preconditions ? { apiVersion: 'v1', kind: 'DeleteOptions', preconditions } : undefined);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return;
      throw e;
    }
  }

  /**
   * client-node's informer (its ListWatch, what makeInformer returns, typed as itself for
   * latestResourceVersion: list, then watch from that resourceVersion; relist on 410) over a
   * list path. Not started: the caller adds handlers, then start(). The list function is ours so
   * that listed objects are the API's JSON, like the watch's events (not typed, no Date).
   */
  informer(path: string, labelSelector?: string): KInformer {
    const list = async () => {
      const { items, resourceVersion } = await this.list(path, labelSelector);
      return { items, metadata: { resourceVersion } } as unknown as KubernetesListObject<KubernetesObject>;
    };
    return new ListWatch(path, new Watch(this.config), list, false, labelSelector) as unknown as KInformer;
  }

  /**
   * A command in a pod through pods/exec with client-node's Exec: WebSocket (v5.channel.k8s.io),
   * which the apiserver translates to the SPDY that kwok's exec server speaks. The exit code is
   * the error channel's ExitCode cause, 0 on Success, else 1 with the Status message (or the
   * connection's error) after the command's stderr, as kubectl prints it.
   */
  exec(namespace: string, pod: string, container: string, command: string[], timeoutMs: number): Promise<ExecRun> {
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.on('data', (d: Buffer) => (stdout += d.toString()));
    err.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise<ExecRun>((resolve) => {
      let ws: { close(): void } | undefined;
      let settled = false;
      const finish = (code: number, message = '') => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws?.close();
        // The streams' last chunks are delivered on the next turn.
        setImmediate(() => resolve({ code, stdout, stderr: message ? `${stderr}error: ${message}\n` : stderr }));
      };
      const timer = setTimeout(() => finish(1, `timed out after ${timeoutMs / 1000} s`), timeoutMs);
      const onStatus = (st: V1Status) => {
        const r = execExit(st);
        finish(r.code, r.message);
      };
      new Exec(this.config).exec(namespace, pod, container, command, out, err, null, false, onStatus).then(
        (socket) => {
          ws = socket;
          socket.on('close', () => finish(1, 'connection closed without a status'));
        },
        (e: Error & { message?: string }) => finish(1, e.message ?? String(e)),
      );
    });
  }
}
