// The one door to the Kubernetes API (owner: kube helper). Everything else in lib/ talks to this
// interface, never to @kubernetes/client-node directly, so that the client can be swapped in one file.
import type { KObject } from '../model/types.ts';
import type { PbMessage } from './pb-decode.ts';
import type { Projection } from './projection.ts';

export type PatchType = 'merge' | 'json' | 'apply';

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute API path, e.g. /apis/apps/v1/namespaces/db/statefulsets */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** For PATCH: merge -> application/merge-patch+json, json -> application/json-patch+json, apply -> application/apply-patch+yaml */
  patchType?: PatchType;
  /** The body as text, not JSON (pods/log answers text/plain). */
  text?: boolean;
  /** Read the object as this protobuf message reads it (pb-schema.ts; built-in kinds only): only what
   *  it names is decoded. A server that answers in JSON gives the whole object. */
  message?: PbMessage;
}

export interface ListResult {
  items: KObject[];
  resourceVersion: string;
  /** How the server answered (its last page): protobuf only when ListOptions.message asked for it. */
  encoding?: 'protobuf' | 'json';
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
}

export interface ListOptions {
  /** What of each item to keep (default: all but managedFields' fieldsV1, which nothing reads). */
  projection?: Projection;
  /** Items as this protobuf message reads them (pb-schema.ts): the server is asked for protobuf and
   *  `projection` must keep the same fields, for a server that answers in JSON. Built-in kinds only. */
  message?: PbMessage;
}

export type WatchEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'; object: KObject };

export interface ApiClient {
  /** Context name, server URL and the namespace that applies when -n is not given. */
  readonly context: string;
  readonly server: string;
  readonly defaultNamespace: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  request<T = any>(opts: RequestOptions): Promise<T>;
  /** LIST with limit/continue pagination until done. Throws ApiError (see errors.ts). */
  list(path: string, query?: ListQuery, options?: ListOptions): Promise<ListResult>;
  /** Streams watch events until the signal aborts or the server ends the watch. */
  watch(path: string, query: Record<string, string | undefined>, onEvent: (e: WatchEvent) => void, signal: AbortSignal): Promise<void>;
  /** Requests sent so far by this client (for benchmarks and tests). */
  readonly requestCount: number;
}
