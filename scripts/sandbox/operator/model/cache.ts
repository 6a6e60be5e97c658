// The informer cache PGO reads through (controller-runtime's cache-backed client): GET and LIST of
// a watched kind are answered from client-node's informer stores, i.e. from what the watches have
// delivered so far; writes and every other read go to the API server. So the model sees its own
// writes, and the pods' and StatefulSets' changes, a watch event later - as PGO does - and never
// sooner. Objects are copied on the way out, as controller-runtime copies them.
import type { ObjectCache } from '@kubernetes/client-node';
import { ApiError, type KObj } from '../../kube/types.ts';
import type { Kube } from '../../kube/client.ts';
import { ALL } from './paths.ts';

type Kind = keyof typeof ALL;

/** Cluster-wide list path -> kind, to route a namespaced request path to its store. */
const KIND_BY_PATH = new Map<string, Kind>(Object.entries(ALL).map(([kind, p]) => [p, kind as Kind]));

/** `/api/v1/namespaces/NS/PLURAL[/NAME]` or `/apis/G/V/namespaces/NS/PLURAL[/NAME]`; not subresources. */
function route(path: string): { kind: Kind; namespace: string; name?: string } | undefined {
  const m = /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)\/namespaces\/([^/]+)\/([^/?]+)(?:\/([^/?]+))?$/.exec(path);
  if (!m) return undefined;
  const kind = KIND_BY_PATH.get(`${m[1]}/${m[3]}`);
  return kind ? { kind, namespace: m[2], name: m[4] } : undefined;
}

/** `k=v` and bare `k` (exists) requirements, comma-separated, as the model writes selectors. */
function matches(selector: string | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return true;
  return selector.split(',').every((req) => {
    const i = req.indexOf('=');
    return i < 0 ? req in labels : labels[req.slice(0, i)] === req.slice(i + 1);
  });
}

export class InformerCache {
  private readonly stores = new Map<Kind, ObjectCache<KObj>>();

  /** A kind's informer store, once it has listed: reads of that kind are answered from it from then on. */
  add(kind: Kind, store: ObjectCache<KObj>): void {
    this.stores.set(kind, store);
  }

  has(kind: Kind): boolean {
    return this.stores.has(kind);
  }

  get(kind: Kind, namespace: string, name: string): KObj | undefined {
    const o = this.stores.get(kind)?.get(name, namespace);
    return o ? structuredClone(o) : undefined;
  }

  list(kind: Kind, namespace: string, selector?: string): KObj[] {
    return (this.stores.get(kind)?.list(namespace) ?? []).filter((o) => matches(selector, o.metadata.labels)).map((o) => structuredClone(o));
  }
}

/**
 * A client that reads watched kinds from `cache` once their informer has listed, and does
 * everything else through `kube` (it is `kube` with three read methods replaced).
 */
export function readThroughCache(kube: Kube, cache: InformerCache): Kube {
  const reader = Object.create(kube) as Kube;
  const cached = (path: string) => {
    const r = route(path);
    return r && cache.has(r.kind) ? r : undefined;
  };
  const getOrNull = async (path: string): Promise<KObj | null> => {
    const r = cached(path);
    if (!r || !r.name) return kube.getOrNull(path);
    return cache.get(r.kind, r.namespace, r.name) ?? null;
  };
  Object.assign(reader, {
    getOrNull,
    get: async (path: string) => {
      const r = cached(path);
      if (!r || !r.name) return kube.get(path);
      const o = cache.get(r.kind, r.namespace, r.name);
      if (!o) throw new ApiError(404, 'NotFound', `${r.kind} "${r.name}" not found`);
      return o;
    },
    list: async (path: string, labelSelector?: string) => {
      const r = cached(path);
      if (!r || r.name) return kube.list(path, labelSelector);
      return { items: cache.list(r.kind, r.namespace, labelSelector), resourceVersion: '' };
    },
  });
  return reader;
}
