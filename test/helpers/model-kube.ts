// An in-memory API for the operator model's unit tests, loaded with one recorded dump (namespace
// db): what reconcile reads and writes, every write recorded; `refuse` makes the API server reject
// a write (e.g. a node port already allocated).
import * as assert from 'uvu/assert';
import type { KObj } from '../../scripts/sandbox/kube/types.ts';
import { reconcile, StepError, type Deps } from '../../scripts/sandbox/operator/model/reconcile.ts';
import type { Obj } from './operator.ts';

export const ENV = {
  RELATED_IMAGE_POSTGRES_16: 'registry.developers.crunchydata.com/crunchydata/crunchy-postgres:ubi9-16.15-2633',
  RELATED_IMAGE_PGBACKREST: 'registry.developers.crunchydata.com/crunchydata/crunchy-pgbackrest:ubi9-2.59.0-2633',
};
export const PLURAL: Record<string, string> = {
  PostgresCluster: '/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/db/postgresclusters',
  StatefulSet: '/apis/apps/v1/namespaces/db/statefulsets',
  Pod: '/api/v1/namespaces/db/pods',
  PersistentVolumeClaim: '/api/v1/namespaces/db/persistentvolumeclaims',
  Service: '/api/v1/namespaces/db/services',
  Endpoints: '/api/v1/namespaces/db/endpoints',
  ConfigMap: '/api/v1/namespaces/db/configmaps',
  ServiceAccount: '/api/v1/namespaces/db/serviceaccounts',
  Role: '/apis/rbac.authorization.k8s.io/v1/namespaces/db/roles',
  RoleBinding: '/apis/rbac.authorization.k8s.io/v1/namespaces/db/rolebindings',
};

/** An in-memory API holding one recorded dump; records every write. */
export class FakeKube {
  refuse?: (path: string, obj: KObj) => Error | undefined;
  store = new Map<string, Obj>();
  writes: Array<{ verb: string; path: string; body?: Obj }> = [];
  constructor(items: Obj[]) {
    for (const o of items) if (PLURAL[o.kind]) this.store.set(`${PLURAL[o.kind]}/${o.metadata.name}`, structuredClone(o));
  }
  async getOrNull(path: string) {
    return structuredClone(this.store.get(path) ?? null);
  }
  async list(path: string, selector = '') {
    const reqs = selector.split(',').filter(Boolean).map((r) => r.split('='));
    const items = [...this.store.entries()]
      .filter(([k]) => k.startsWith(path + '/') && !k.slice(path.length + 1).includes('/'))
      .map(([, v]) => v)
      .filter((o) => reqs.every(([k, v]) => (v === undefined ? k in (o.metadata.labels ?? {}) : o.metadata.labels?.[k] === v)));
    return { items: structuredClone(items), resourceVersion: '1' };
  }
  async apply(path: string, obj: KObj) {
    this.writes.push({ verb: 'apply', path, body: obj });
    const refused = this.refuse?.(path, obj);
    if (refused) throw refused;
    const prev = this.store.get(path);
    // Server-side apply keeps fields other managers own (e.g. a PVC's volumeName).
    const next = { ...structuredClone(obj), spec: obj.spec ? { ...(prev?.spec ?? {}), ...structuredClone(obj.spec) } : undefined, status: prev?.status };
    if (!next.spec) delete next.spec;
    next.metadata.uid = prev?.metadata.uid ?? `uid-${this.writes.length}`;
    if (obj.kind === 'Service' && obj.spec?.clusterIP !== 'None') next.spec.clusterIP = prev?.spec?.clusterIP ?? '10.0.0.9';
    this.store.set(path, next);
    return structuredClone(next);
  }
  async mergePatch(path: string, patch: Obj) {
    this.writes.push({ verb: 'patch', path, body: patch });
    const key = path.replace(/\/status$/, '');
    const o = this.store.get(key);
    const merge = (a: Obj, b: Obj): Obj => {
      if (b === null || typeof b !== 'object' || Array.isArray(b)) return b;
      const out = { ...(a && typeof a === 'object' ? a : {}) };
      for (const [k, v] of Object.entries(b)) {
        if (v === null) delete out[k];
        else out[k] = merge(out[k], v);
      }
      return out;
    };
    this.store.set(key, merge(o, patch));
    return structuredClone(this.store.get(key));
  }
  async delete(path: string) {
    this.writes.push({ verb: 'delete', path });
    this.store.delete(path);
  }
  async request(method: string, path: string) {
    this.writes.push({ verb: method, path });
    return {};
  }
  remove(kind: string, name: string) {
    this.store.delete(`${PLURAL[kind]}/${name}`);
  }
  cluster(): Obj {
    return this.store.get(`${PLURAL.PostgresCluster}/hippo`);
  }
  applied(kind: string) {
    return this.writes.filter((w) => w.verb === 'apply' && w.path.startsWith(PLURAL[kind] + '/')).map((w) => w.body.metadata.name);
  }
}

/** One reconcile of db/hippo that must fail: the StepError it ends with. */
export async function reconcileError(d: Deps): Promise<StepError> {
  try {
    await reconcile(d, 'db', 'hippo');
  } catch (e) {
    assert.instance(e, StepError);
    return e as StepError;
  }
  throw new Error('reconcile succeeded; expected an error');
}
