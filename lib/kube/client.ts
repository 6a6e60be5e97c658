// ApiClient over node:http(s). Authentication material (headers, TLS agent) comes from a
// credentials function (auth.ts, asked before every request); the generated API classes are not
// used: they triple the bundle and the start-up time.
import http from 'node:http';
import https from 'node:https';
import type { KObject } from '../model/types.ts';
import type { ApiClient, ListOptions, ListQuery, ListResult, RequestOptions, WatchEvent } from './api.ts';
import { ApiError, NetworkError, apiErrorFrom, networkErrorFrom, timeoutError } from './errors.ts';
import { gunzipped } from './inflate.ts';
import { ListDecoder } from './list-decoder.ts';
import { objectOf, statusText } from './pb-envelope.ts';
import { ProtoListDecoder } from './pb-list-decoder.ts';
import type { PbMessage } from './pb-decode.ts';
import { WITHOUT_FIELDS_V1, type Projection } from './projection.ts';

export const DEFAULT_PAGE_SIZE = 5000;

export interface Credentials {
  headers: Record<string, string | string[]>;
  agent?: http.Agent;
  /** "user:password" for basic auth. */
  auth?: string;
}

export interface HttpClientOptions {
  server: string;
  context: string;
  defaultNamespace: string;
  /** Per request, 0 = none (kubectl's --request-timeout). */
  timeoutMs: number;
  /** LISTs ask for gzip, as kubectl does (the apiserver compresses answers over 128 KiB): a tenth
   *  of the bytes from a remote cluster. Off with --disable-compression or the kubeconfig's
   *  `disable-compression: true` (a local API server then spends no CPU compressing). Default on. */
  compression?: boolean;
  /** Called before each request; after a 401 with refresh=true and the credentials refused
   *  (an exec plugin then runs again, once for all the requests refused with the same ones). */
  credentials: (refresh: boolean, refused?: Credentials) => Promise<Credentials>;
  /** LIST page size. Default 5000, not kubectl's 500: a whole fleet (500 clusters make ~3,000
   *  Endpoints) then lists in one page per kind, so the request count does not grow with it,
   *  while a page stays a bounded response. */
  pageSize?: number;
  /** Retries of a 429 (or a 5xx carrying Retry-After), default 5. */
  maxRetries?: number;
  /** Upper bound of one Retry-After wait, default 10 s. */
  maxRetryDelayMs?: number;
  /** TCP connect limit even without a request timeout (kubectl dials with 30 s), default 30 s. */
  dialTimeoutMs?: number;
}

export const FIELD_MANAGER = 'kubectl-pgo';

const CONTENT_TYPE = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** A 2xx LIST body, decoded while it arrived (then body is ''). */
  list?: ListDecoder | ProtoListDecoder;
  /** A 2xx protobuf answer to a request with a message, decoded (then body is ''). */
  object?: Record<string, unknown>;
}

/** How an answer is read: a LIST (`projection`: ListOptions, the default filled in) and/or in protobuf (`message`). */
type Read = { projection?: Projection; message?: PbMessage };
const PROTOBUF = 'application/vnd.kubernetes.protobuf';

type Page = { encoding: ListResult['encoding']; kind?: string; apiVersion?: string; metadata?: { continue?: string; resourceVersion?: string }; items?: KObject[] };

export class HttpApiClient implements ApiClient {
  readonly context: string;
  readonly server: string;
  readonly defaultNamespace: string;
  private sent = 0;
  private readonly opts: Required<Omit<HttpClientOptions, 'credentials'>> & Pick<HttpClientOptions, 'credentials'>;

  constructor(opts: HttpClientOptions) {
    this.context = opts.context;
    this.server = opts.server.replace(/\/+$/, '');
    this.defaultNamespace = opts.defaultNamespace;
    this.opts = { ...opts, compression: opts.compression ?? true, pageSize: opts.pageSize ?? DEFAULT_PAGE_SIZE, maxRetries: opts.maxRetries ?? 5, maxRetryDelayMs: opts.maxRetryDelayMs ?? 10_000, dialTimeoutMs: opts.dialTimeoutMs ?? 30_000 };
  }

  get requestCount(): number {
    return this.sent;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async request<T = any>(ro: RequestOptions): Promise<T> {
    const query = { ...(ro.query ?? {}) };
    let contentType = 'application/json';
    if (ro.method === 'PATCH') {
      contentType = CONTENT_TYPE[ro.patchType ?? 'merge'];
      if (ro.patchType === 'apply' && query.fieldManager === undefined) query.fieldManager = FIELD_MANAGER;
    }
    const body = ro.body === undefined ? undefined : typeof ro.body === 'string' ? ro.body : JSON.stringify(ro.body);
    const res = await this.exchange(ro.method, ro.path, query, body, contentType, ro.message ? { message: ro.message } : undefined);
    if (res.status < 200 || res.status >= 300) throw apiErrorFrom(res.status, res.body);
    if (res.object) return res.object as T;
    if (ro.text) return res.body as T;
    if (res.body.trim() === '') return undefined as T;
    try {
      return JSON.parse(res.body) as T;
    } catch {
      throw new ApiError(`error: the server returned a response that is not JSON for ${ro.method} ${ro.path}`, res.status, 'InternalError');
    }
  }

  async list(path: string, query: ListQuery = {}, options: ListOptions = {}): Promise<ListResult> {
    const limit = query.limit ?? this.opts.pageSize;
    let restarted = false;
    for (;;) {
      const items: KObject[] = [];
      let resourceVersion = '';
      let encoding: ListResult['encoding'] = 'json';
      let cont: string | undefined;
      try {
        do {
          const page = await this.listPage(path, { labelSelector: query.labelSelector, fieldSelector: query.fieldSelector, limit, continue: cont }, { projection: options.projection ?? WITHOUT_FIELDS_V1, message: options.message });
          // Items of a LIST carry no kind/apiVersion; fill them in so objects look the same as in `kubectl get -o yaml`.
          const kind = page.kind?.endsWith('List') ? page.kind.slice(0, -4) : undefined;
          for (const item of page.items ?? []) {
            if (kind && !item.kind) item.kind = kind;
            if (page.apiVersion && !item.apiVersion) item.apiVersion = page.apiVersion;
            items.push(item);
          }
          resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
          encoding = page.encoding;
          cont = page.metadata?.continue || undefined;
        } while (cont);
        return { items, resourceVersion, encoding };
      } catch (e) {
        // A continue token expires (410 Gone) when the list outlives etcd's compaction window:
        // start over once from a fresh snapshot rather than return a list with a hole in it.
        if (e instanceof ApiError && e.status === 410 && cont !== undefined && !restarted) {
          restarted = true;
          continue;
        }
        throw e;
      }
    }
  }

  async watch(path: string, query: Record<string, string | undefined>, onEvent: (e: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    const used: { creds?: Credentials } = {};
    try {
      await this.watchOnce(path, query, onEvent, signal, used);
    } catch (e) {
      // An exec credential that expired while watching: run the plugin again and resume once, as requests do.
      if (!(e instanceof ApiError && e.status === 401)) throw e;
      await this.watchOnce(path, query, onEvent, signal, used, true);
    }
  }

  private async watchOnce(
    path: string,
    query: Record<string, string | undefined>,
    onEvent: (e: WatchEvent) => void,
    signal: AbortSignal,
    used: { creds?: Credentials },
    refresh = false,
  ): Promise<void> {
    if (signal.aborted) return;
    const creds = await this.opts.credentials(refresh, refresh ? used.creds : undefined);
    used.creds = creds;
    const url = this.url(path, { ...query, watch: 'true' });
    this.sent++;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const done = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (err && !signal.aborted) reject(err);
        else resolve();
      };
      const req = this.transport(url).request(url, this.requestOptions('GET', creds, 'application/json'), (res) => {
        clearTimeout(timer);
        res.setEncoding('utf8');
        if ((res.statusCode ?? 0) !== 200) {
          let text = '';
          res.on('data', (c: string) => (text += c));
          res.on('end', () => done(apiErrorFrom(res.statusCode ?? 0, text)));
          return;
        }
        let buf = '';
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line === '') continue;
            try {
              onEvent(JSON.parse(line) as WatchEvent);
            } catch (e) {
              req.destroy();
              done(e instanceof Error ? e : new Error(String(e)));
              return;
            }
          }
        });
        res.on('end', () => done());
        res.on('error', (e) => done(networkErrorFrom(e, this.server)));
      });
      const onAbort = () => {
        req.destroy();
        done();
      };
      signal.addEventListener('abort', onAbort);
      // The timeout bounds the wait for the watch to start, not the stream itself.
      const timer = this.opts.timeoutMs > 0 ? setTimeout(() => req.destroy(timeoutError(this.server, 'GET', path, this.opts.timeoutMs)), this.opts.timeoutMs) : undefined;
      req.on('error', (e: NodeJS.ErrnoException) => done(e instanceof NetworkError ? e : networkErrorFrom(e, this.server)));
      this.guardDial(req);
      req.end();
    });
  }

  /** One page of a LIST, its items parsed one by one while the body arrives (lib/kube/list-decoder.ts). */
  private async listPage(path: string, query: RequestOptions['query'], list: Read): Promise<Page> {
    const res = await this.exchange('GET', path, query, undefined, 'application/json', list);
    if (res.status < 200 || res.status >= 300) throw apiErrorFrom(res.status, res.body);
    try {
      return { ...(res.list?.end() ?? {}), encoding: res.list instanceof ProtoListDecoder ? 'protobuf' : 'json' } as Page;
    } catch {
      throw new ApiError(`error: the server returned a response that is not ${res.list instanceof ProtoListDecoder ? 'protobuf' : 'JSON'} for GET ${path}`, res.status, 'InternalError');
    }
  }

  /** One request with the bounded 429 retry and one credential refresh after a 401. */
  private async exchange(method: string, path: string, query: RequestOptions['query'], body: string | undefined, contentType: string, read?: Read): Promise<Raw> {
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const creds = await this.opts.credentials(false);
      const res = await this.send(method, path, query, body, contentType, creds, read);
      const retryAfter = parseRetryAfter(res.headers['retry-after']);
      if ((res.status === 429 || (res.status >= 500 && retryAfter !== undefined)) && attempt < this.opts.maxRetries) {
        await sleep(Math.min(retryAfter ?? 1000, this.opts.maxRetryDelayMs));
        continue;
      }
      if (res.status === 401 && !refreshed) {
        refreshed = true;
        await this.opts.credentials(true, creds);
        continue;
      }
      return res;
    }
  }

  /** read: how the answer is asked for and read (a LIST is decoded as it arrives). */
  private send(method: string, path: string, query: RequestOptions['query'], body: string | undefined, contentType: string, creds: Credentials, read?: Read): Promise<Raw> {
    const url = this.url(path, query);
    this.sent++;
    return new Promise<Raw>((resolve, reject) => {
      const options = this.requestOptions(method, creds, contentType);
      if (body !== undefined) (options.headers as Record<string, string | number>)['Content-Length'] = Buffer.byteLength(body);
      if (read && this.opts.compression) (options.headers as Record<string, string>)['Accept-Encoding'] = 'gzip';
      if (read?.message) (options.headers as Record<string, string>).Accept = `${PROTOBUF}, application/json`;
      const req = this.transport(url).request(url, options, (res) => {
        const status = res.statusCode ?? 0;
        const proto = String(res.headers['content-type'] ?? '').startsWith(PROTOBUF);
        const ok = status >= 200 && status < 300;
        const list = read?.projection && ok ? read : undefined;
        const decoder = list ? (proto && list.message ? new ProtoListDecoder(list.message) : new ListDecoder({ projection: list.projection })) : undefined;
        let text = '';
        const bytes: Buffer[] = [];
        const gz = res.headers['content-encoding'] === 'gzip' ? gunzipped(res) : undefined;
        if (gz) {
          gz.on('error', (e) => {
            // The response may be complete already: destroying the request would then report nothing.
            clearTimeout(timer);
            reject(new ApiError(`error: the server's gzip-encoded response to ${method} ${path} did not inflate: ${e.message.split('\n')[0]}`, status, 'InternalError'));
            req.destroy();
          });
        }
        const from = gz ?? res;
        if (decoder) {
          from.on('data', (c: Buffer) => {
            try {
              decoder.push(c);
            } catch {
              req.destroy(new ApiError(`error: the server returned a response that is not JSON for ${method} ${path}`, status, 'InternalError'));
            }
          });
        } else if (proto) {
          // A protobuf answer that is not a list: one object, or the Status of an error.
          from.on('data', (c: Buffer) => bytes.push(c));
        } else {
          from.setEncoding('utf8');
          from.on('data', (c: string) => (text += c));
        }
        from.on('end', () => {
          clearTimeout(timer);
          if (!proto || decoder) return resolve({ status, headers: res.headers, body: text, list: decoder });
          const all = Buffer.concat(bytes);
          if (!ok || !read?.message) return resolve({ status, headers: res.headers, body: statusText(all) });
          try {
            resolve({ status, headers: res.headers, body: '', object: objectOf(all, read.message) });
          } catch {
            reject(new ApiError(`error: the server returned a response that is not protobuf for ${method} ${path}`, status, 'InternalError'));
          }
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(e instanceof NetworkError || e instanceof ApiError ? e : networkErrorFrom(e, this.server));
        });
      });
      const timer = this.opts.timeoutMs > 0 ? setTimeout(() => req.destroy(timeoutError(this.server, method, path, this.opts.timeoutMs)), this.opts.timeoutMs) : undefined;
      req.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(e instanceof NetworkError || e instanceof ApiError ? e : networkErrorFrom(e, this.server));
      });
      this.guardDial(req);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** A server that drops packets would otherwise hang a call for the OS's ~2 minutes of SYN retries. */
  private guardDial(req: http.ClientRequest): void {
    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      const t = setTimeout(
        () => req.destroy(Object.assign(new Error(`dial tcp: i/o timeout after ${this.opts.dialTimeoutMs / 1000}s`), { code: 'ETIMEDOUT' })),
        this.opts.dialTimeoutMs,
      );
      socket.once('connect', () => clearTimeout(t));
      socket.once('close', () => clearTimeout(t));
    });
  }

  private requestOptions(method: string, creds: Credentials, contentType: string): https.RequestOptions {
    return {
      method,
      agent: creds.agent,
      auth: creds.auth,
      headers: { Accept: 'application/json', 'Content-Type': contentType, 'User-Agent': 'kubectl-pgo', ...creds.headers },
    };
  }

  private transport(url: URL): typeof https | typeof http {
    return url.protocol === 'http:' ? http : https;
  }

  private url(path: string, query: RequestOptions['query']): URL {
    const u = new URL(this.server + path);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined || v === '') continue;
      u.searchParams.set(k, String(v));
    }
    return u;
  }
}

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(h: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
