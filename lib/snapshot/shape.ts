// The validated reading layer: every object of a Snapshot is held to the shapes the engine reads
// (views, checks, report, diff, plans) before anything reads it. A field of the wrong type is
// left out of a copy and recorded, so a pod with `status.conditions: "nope"` reads as a pod
// without conditions plus an Unreadable entry naming the field - never an exception, never a guess.
// A PostgresCluster whose spec or apiVersion cannot be understood is recorded too: the
// UnreadableObject check turns that into a finding and the cluster's health into Unknown.
// Objects that are fine come back as the same references (copy on write).
import { LABEL, type KObject, type Snapshot, type SnapshotObjects, type Unreadable } from '../model/types.ts';

/** PostgresCluster versions whose schema this plugin reads. */
export const KNOWN_PGC_VERSIONS = ['v1beta1', 'v1'];
const PGC_GROUP = 'postgres-operator.crunchydata.com';

/** At most this many fields are named per object: a 10k-item list of bad values is one entry. */
const FIELDS_PER_OBJECT = 5;

type Problem = { field: string; found: string };
/** Returns the value (the same reference when it fits), or undefined when it does not. */
type Shape = (v: unknown, at: string, out: Problem[]) => unknown;

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : `the string ${JSON.stringify(v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeof v === 'object' ? 'an object' : typeof v;
}

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function leaf(ok: (v: unknown) => boolean): Shape {
  return (v, at, out) => {
    if (ok(v)) return v;
    out.push({ field: at, found: describeValue(v) });
    return undefined;
  };
}

const str = leaf((v) => typeof v === 'string');
const num = leaf((v) => typeof v === 'number' && Number.isFinite(v));
const bool = leaf((v) => typeof v === 'boolean');
/** Any object: read only through a narrower shape elsewhere, or not at all. */
const anyObj = leaf(isPlain);

/** An object with known fields; others pass untouched. `required` fields missing drop the object. */
function obj(fields: Record<string, Shape>, required: string[] = []): Shape {
  // Once, not per object: a LIST shapes thousands.
  const entries = Object.entries(fields);
  return (v, at, out) => {
    if (!isPlain(v)) {
      out.push({ field: at, found: describeValue(v) });
      return undefined;
    }
    let copy: Record<string, unknown> | undefined;
    for (const [k, shape] of entries) {
      if (!(k in v)) continue;
      const before = v[k];
      // null is how JSON says "not set" (Go decodes it so): kept as it is, read as absent.
      if (before === null || before === undefined) continue;
      const after = shape(before, at ? `${at}.${k}` : k, out);
      if (after !== before) {
        copy ??= { ...v };
        if (after === undefined) delete copy[k];
        else copy[k] = after;
      }
    }
    const r = copy ?? v;
    for (const k of required) {
      if (r[k] === undefined || r[k] === null) {
        if (v[k] === undefined || v[k] === null) out.push({ field: at ? `${at}.${k}` : k, found: 'nothing' });
        return undefined;
      }
    }
    return r;
  };
}

/** A list; items that do not fit are left out. */
function list(item: Shape): Shape {
  return (v, at, out) => {
    if (!Array.isArray(v)) {
      out.push({ field: at, found: describeValue(v) });
      return undefined;
    }
    let copy: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const after = v[i] === null || v[i] === undefined ? undefined : item(v[i], `${at}[${i}]`, out);
      if ((after !== v[i] || after === undefined) && !copy) copy = v.slice(0, i);
      if (copy && after !== undefined) copy.push(after);
    }
    return copy ?? v;
  };
}

/** A string -> string map (labels, annotations). */
const strings: Shape = (v, at, out) => {
  if (!isPlain(v)) {
    out.push({ field: at, found: describeValue(v) });
    return undefined;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string' || x === null) continue;
    if (x !== null && x !== undefined) out.push({ field: `${at}.${k}`, found: describeValue(x) });
    copy ??= { ...v };
    delete copy[k];
  }
  return copy ?? v;
};

const REF = obj({ kind: str, name: str, namespace: str, uid: str, apiVersion: str });
const META = obj({
  name: str,
  namespace: str,
  uid: str,
  resourceVersion: str,
  generation: num,
  creationTimestamp: str,
  deletionTimestamp: str,
  labels: strings,
  annotations: strings,
  ownerReferences: list(obj({ apiVersion: str, kind: str, name: str, uid: str, controller: bool }, ['kind', 'name'])),
}, ['name']);
const CONDITION = obj({ type: str, status: str, reason: str, message: str, lastTransitionTime: str, observedGeneration: num });
const CONDITIONS = list(CONDITION);
const TERMINATED = obj({ reason: str, message: str, exitCode: num, finishedAt: str, startedAt: str });
const STATE = obj({ waiting: obj({ reason: str, message: str }), running: anyObj, terminated: TERMINATED });
const CONTAINER_STATUS = obj({ name: str, ready: bool, restartCount: num, state: STATE, lastState: STATE });
const CONTAINERS = list(obj({ name: str, image: str }));

function kind(spec: Shape | undefined, status: Shape | undefined, extra: Record<string, Shape> = {}): Shape {
  const fields: Record<string, Shape> = { apiVersion: str, kind: str, metadata: META, ...extra };
  if (spec) fields.spec = spec;
  if (status) fields.status = status;
  return obj(fields, ['metadata']);
}

const REPLICAS = obj({ replicas: num, readyReplicas: num, availableReplicas: num, updatedReplicas: num, currentReplicas: num, unavailableReplicas: num, conditions: CONDITIONS });

const SHAPES = {
  postgresCluster: kind(
    obj({
      instances: list(obj({ name: str, replicas: num, walVolumeClaimSpec: anyObj })),
      paused: bool,
      shutdown: bool,
      postgresVersion: num,
      patroni: obj({ switchover: obj({ enabled: bool, targetInstance: str, type: str }) }),
      standby: obj({ enabled: bool, host: str, repoName: str }),
      proxy: obj({ pgBouncer: obj({ replicas: num }) }),
      backups: obj({ pgbackrest: obj({ repos: list(obj({ name: str })) }) }),
    }),
    obj({
      conditions: CONDITIONS,
      observedGeneration: num,
      patroni: obj({ switchover: str, switchoverTimeline: num, systemIdentifier: str }),
      pgbackrest: obj({ repos: list(obj({ name: str, stanzaCreated: bool })) }),
      instances: list(obj({ name: str, replicas: num, readyReplicas: num, updatedReplicas: num })),
    }),
  ),
  statefulSet: kind(obj({ replicas: num }), REPLICAS),
  pod: kind(
    obj({ nodeName: str, containers: CONTAINERS, initContainers: CONTAINERS }),
    obj({ phase: str, conditions: CONDITIONS, containerStatuses: list(CONTAINER_STATUS), initContainerStatuses: list(CONTAINER_STATUS), startTime: str, podIP: str }),
  ),
  deployment: kind(
    obj({ replicas: num, template: obj({ metadata: obj({ labels: strings }), spec: obj({ containers: CONTAINERS }) }) }),
    REPLICAS,
  ),
  job: kind(undefined, obj({ conditions: CONDITIONS, startTime: str, completionTime: str, succeeded: num, failed: num, active: num })),
  other: kind(undefined, undefined),
  event: kind(undefined, undefined, {
    involvedObject: REF,
    regarding: REF,
    type: str,
    reason: str,
    message: str,
    note: str,
    count: num,
    firstTimestamp: str,
    lastTimestamp: str,
    eventTime: str,
    reportingController: str,
    series: obj({ lastObservedTime: str, count: num }),
    source: obj({ component: str, host: str }),
  }),
};

const LIST_SHAPES: Record<keyof SnapshotObjects, Shape> = {
  postgresClusters: SHAPES.postgresCluster,
  statefulSets: SHAPES.statefulSet,
  pods: SHAPES.pod,
  pvcs: SHAPES.other,
  endpoints: SHAPES.other,
  services: SHAPES.other,
  deployments: SHAPES.deployment,
  jobs: SHAPES.job,
  events: SHAPES.event,
};

const GAP = obj({ resource: str, verb: str, namespace: str, status: num, message: str }, ['resource', 'verb']);

const shaped = new WeakSet<object>();

/** What a PostgresCluster must have for its spec to mean anything to the checks. */
function understood(pc: KObject, raw: Record<string, unknown>, out: Problem[]): void {
  const [group, version] = typeof raw.apiVersion === 'string' ? raw.apiVersion.split('/') : [];
  if (typeof raw.apiVersion !== 'string') out.push({ field: 'apiVersion', found: describeValue(raw.apiVersion ?? null) });
  else if (group !== PGC_GROUP || !KNOWN_PGC_VERSIONS.includes(version ?? '')) {
    out.push({ field: 'apiVersion', found: `${JSON.stringify(raw.apiVersion)}, not ${KNOWN_PGC_VERSIONS.map((v) => `${PGC_GROUP}/${v}`).join(' or ')}` });
  }
  if (pc.spec === undefined || pc.spec === null) {
    if (!out.some((p) => p.field === 'spec')) out.push({ field: 'spec', found: 'nothing' });
  } else if ((pc.spec.instances === undefined || pc.spec.instances === null) && !out.some((p) => p.field === 'spec.instances')) {
    out.push({ field: 'spec.instances', found: 'nothing' });
  }
}

function entryOf(listName: string, raw: unknown, shapedObj: KObject | undefined, problems: Problem[]): Unreadable {
  const m = isPlain(raw) && isPlain(raw.metadata) ? raw.metadata : {};
  const labels = isPlain(m.labels) ? m.labels : {};
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const kindOf = text(isPlain(raw) ? raw.kind : undefined) ?? KIND_OF_LIST[listName] ?? 'Object';
  return {
    kind: kindOf,
    namespace: text(shapedObj?.metadata.namespace ?? m.namespace),
    name: text(shapedObj?.metadata.name ?? m.name),
    cluster: kindOf === 'PostgresCluster' ? text(m.name) : text(labels[LABEL.cluster]) ?? aboutCluster(raw),
    list: listName,
    fields: problems.slice(0, FIELDS_PER_OBJECT).map((p) => (p.field ? p : { ...p, field: '(the object)' })),
    more: Math.max(0, problems.length - FIELDS_PER_OBJECT),
    dropped: shapedObj === undefined,
  };
}

/** An Event is filed under the PostgresCluster it is about. */
function aboutCluster(raw: unknown): string | undefined {
  if (!isPlain(raw)) return undefined;
  const io = isPlain(raw.involvedObject) ? raw.involvedObject : isPlain(raw.regarding) ? raw.regarding : undefined;
  return io?.kind === 'PostgresCluster' && typeof io.name === 'string' ? io.name : undefined;
}

const KIND_OF_LIST: Record<string, string> = {
  postgresClusters: 'PostgresCluster', statefulSets: 'StatefulSet', pods: 'Pod', pvcs: 'PersistentVolumeClaim',
  endpoints: 'Endpoints', services: 'Service', deployments: 'Deployment', jobs: 'Job', events: 'Event',
  'operator.deployments': 'Deployment', 'operator.pods': 'Pod',
};

function shapeList(name: string, v: unknown, shape: Shape, found: Unreadable[], pgc = false): KObject[] {
  if (!Array.isArray(v)) {
    if (v !== undefined && v !== null) found.push(entryOf(name, undefined, undefined, [{ field: name, found: describeValue(v) }]));
    return [];
  }
  let copy: KObject[] | undefined;
  for (let i = 0; i < v.length; i++) {
    const problems: Problem[] = [];
    const after = (v[i] === null || v[i] === undefined ? undefined : shape(v[i], '', problems)) as KObject | undefined;
    if (pgc && after) understood(after, v[i] as Record<string, unknown>, problems);
    if (problems.length || after === undefined) {
      found.push(entryOf(name, v[i], after, problems.length ? problems : [{ field: '(the object)', found: describeValue(v[i]) }]));
    }
    if ((after !== v[i] || after === undefined) && !copy) copy = v.slice(0, i) as KObject[];
    if (copy && after !== undefined) copy.push(after);
  }
  return copy ?? (v as KObject[]);
}

/** The Snapshot as the engine may read it, with what had to be left out in `unreadable`. A
 *  snapshot this returned is returned as it is. Never throws, whatever `raw` holds. */
export function shapeSnapshot(raw: Snapshot): Snapshot {
  if (shaped.has(raw)) return raw;
  const r: Record<string, unknown> = isPlain(raw) ? (raw as unknown as Record<string, unknown>) : {};
  const found: Unreadable[] = [];
  const objectsIn = isPlain(r.objects) ? r.objects : {};
  const objects = {} as SnapshotObjects;
  for (const [k, shape] of Object.entries(LIST_SHAPES) as Array<[keyof SnapshotObjects, Shape]>) {
    objects[k] = shapeList(k, objectsIn[k], shape, found, k === 'postgresClusters');
  }
  const op = isPlain(r.operator) ? r.operator : {};
  const pgo = isPlain(r.pgo) ? r.pgo : {};
  const scope = isPlain(r.scope) ? r.scope : {};
  const source = isPlain(r.source) ? r.source : {};
  const gaps = (Array.isArray(r.gaps) ? r.gaps : []).map((g) => GAP(g, 'gaps', [])).filter((g): g is Snapshot['gaps'][number] => g !== undefined);
  const takenAt = typeof r.takenAt === 'string' && !Number.isNaN(Date.parse(r.takenAt)) ? r.takenAt : new Date(0).toISOString();
  const out: Snapshot = {
    ...(r as unknown as Snapshot),
    schemaVersion: 1,
    takenAt,
    source: source.kind === 'file' && typeof source.path === 'string'
      ? { kind: 'file', path: source.path }
      : { kind: 'api', context: typeof source.context === 'string' ? source.context : undefined, server: typeof source.server === 'string' ? source.server : undefined },
    scope: {
      allNamespaces: scope.allNamespaces === true,
      namespace: typeof scope.namespace === 'string' ? scope.namespace : undefined,
      cluster: typeof scope.cluster === 'string' ? scope.cluster : undefined,
    },
    pgo: {
      apiVersions: Array.isArray(pgo.apiVersions) ? pgo.apiVersions.filter((x): x is string => typeof x === 'string') : [],
      crdVersion: typeof pgo.crdVersion === 'string' ? pgo.crdVersion : undefined,
    },
    operator: {
      known: op.known === true,
      deployments: shapeList('operator.deployments', op.deployments, SHAPES.deployment, found),
      pods: shapeList('operator.pods', op.pods, SHAPES.pod, found),
    },
    objects,
    gaps,
    unreadable: found,
  };
  shaped.add(out);
  return out;
}
