// Property-based: collect's output shapes (Snapshot objects) with random and schema-violating
// values go through every verb's pure path - views, checks, health, the report, the table / wide /
// detail / JSON / YAML renderers, diff's state diff, heal's planner and wait, switchover's
// preflight and verification, diff -f's consequences. Never an exception; a cluster whose spec or
// status could not be read is never Healthy and gets an UnreadableObject finding that names the
// object and the field; the rest of the report is still made.
// KPGO_FUZZ_RUNS (default 150) and KPGO_FUZZ_SEED (default fixed) reproduce or widen a run.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_MAX_LAG_BYTES, healthOf, runChecks } from '../../../lib/checks/index.ts';
import { manifestConsequences, newFindings } from '../../../lib/diff/consequences.ts';
import { renderStateDiffs } from '../../../lib/diff/render.ts';
import { stateDiff } from '../../../lib/diff/state-diff.ts';
import { LABEL, type Finding, type KObject, type Snapshot } from '../../../lib/model/types.ts';
import { planHeal } from '../../../lib/plan/heal.ts';
import { buildStatusReport } from '../../../lib/report/build.ts';
import type { StatusReport } from '../../../lib/report/schema.ts';
import { renderStatusDetail } from '../../../lib/render/status-detail.ts';
import { renderStatus } from '../../../lib/render/status.ts';
import { preflight } from '../../../lib/switchover/preflight.ts';
import { switchoverState } from '../../../lib/switchover/verify.ts';
import { progressOf } from '../../../lib/verbs/heal.ts';
import { buildClusterViews } from '../../../lib/view/cluster-view.ts';
import { fixture, objectsFromYaml, recorded, snapshotFromObjects } from '../../helpers/snapshot-from-yaml.ts';

const RUNS = Number(process.env.KPGO_FUZZ_RUNS ?? 150);
const SEED = Number(process.env.KPGO_FUZZ_SEED ?? 20261201);

const BASES: KObject[][] = [
  fixture('incident/incident.yaml'),
  fixture('clusters/base.yaml'),
  fixture('clusters/shutdown.yaml'),
  fixture('heal/paused-and-blocked.before.yaml'),
  recorded('v5.8.9', 'healthy.yaml'),
].map((f) => objectsFromYaml(readFileSync(f, 'utf8')));
const OPERATOR = objectsFromYaml(readFileSync(fixture('clusters/operator.yaml'), 'utf8'));

type ListName = keyof Snapshot['objects'] | 'operator.deployments' | 'operator.pods';
type Expect = 'str' | 'num' | 'bool' | 'obj' | 'list' | 'map' | 'version';
/** A path into an object, the type the engine reads there, and whether it must be there. */
type Typed = { path: Array<string | number>; type: Expect; required?: boolean };

const t = (path: Array<string | number>, type: Expect, required = false): Typed => ({ path, type, required });
const PATHS: Partial<Record<ListName, Typed[]>> = {
  postgresClusters: [
    t(['apiVersion'], 'version'), t(['spec'], 'obj', true), t(['spec', 'instances'], 'list', true), t(['spec', 'instances', 0], 'obj'),
    t(['spec', 'instances', 0, 'name'], 'str'), t(['spec', 'instances', 0, 'replicas'], 'num'), t(['spec', 'paused'], 'bool'),
    t(['spec', 'shutdown'], 'bool'), t(['spec', 'patroni'], 'obj'), t(['spec', 'patroni', 'switchover'], 'obj'),
    t(['spec', 'patroni', 'switchover', 'enabled'], 'bool'), t(['spec', 'patroni', 'switchover', 'targetInstance'], 'str'),
    t(['spec', 'standby'], 'obj'), t(['spec', 'standby', 'enabled'], 'bool'), t(['spec', 'proxy', 'pgBouncer'], 'obj'),
    t(['spec', 'backups', 'pgbackrest', 'repos'], 'list'), t(['status'], 'obj'), t(['status', 'conditions'], 'list'),
    t(['status', 'patroni', 'switchover'], 'str'), t(['status', 'patroni', 'switchoverTimeline'], 'num'),
    t(['status', 'pgbackrest', 'repos'], 'list'), t(['metadata', 'annotations'], 'map'), t(['metadata', 'resourceVersion'], 'str'),
    t(['metadata', 'creationTimestamp'], 'str'), t(['metadata', 'annotations', LABEL.triggerSwitchover], 'str'),
  ],
  pods: [
    t(['status', 'conditions'], 'list'), t(['status', 'conditions', 0], 'obj'), t(['status', 'containerStatuses'], 'list'),
    t(['status', 'containerStatuses', 0], 'obj'), t(['status', 'containerStatuses', 0, 'restartCount'], 'num'),
    t(['status', 'containerStatuses', 0, 'state'], 'obj'), t(['status', 'containerStatuses', 0, 'lastState', 'terminated', 'finishedAt'], 'str'),
    t(['status', 'initContainerStatuses'], 'list'), t(['status', 'phase'], 'str'), t(['status'], 'obj'), t(['spec'], 'obj'),
    t(['spec', 'nodeName'], 'str'), t(['metadata', 'annotations'], 'map'), t(['metadata', 'annotations', 'status'], 'str'),
    t(['metadata', 'ownerReferences'], 'list'), t(['metadata', 'deletionTimestamp'], 'str'), t(['metadata', 'creationTimestamp'], 'str'),
    t(['metadata', 'labels', LABEL.role], 'str'), t(['metadata', 'labels', LABEL.instance], 'str'),
  ],
  statefulSets: [t(['spec', 'replicas'], 'num'), t(['status', 'readyReplicas'], 'num'), t(['status'], 'obj'), t(['metadata', 'labels', LABEL.instance], 'str')],
  endpoints: [t(['metadata', 'annotations'], 'map'), t(['metadata', 'annotations', 'leader'], 'str'), t(['metadata', 'annotations', 'optime'], 'str')],
  pvcs: [t(['metadata', 'labels', LABEL.role], 'str'), t(['metadata', 'labels', LABEL.instance], 'str'), t(['metadata', 'creationTimestamp'], 'str')],
  jobs: [t(['status', 'conditions'], 'list'), t(['status', 'startTime'], 'str'), t(['status', 'succeeded'], 'num')],
  events: [t(['lastTimestamp'], 'str'), t(['count'], 'num'), t(['message'], 'str'), t(['reason'], 'str')],
  'operator.deployments': [t(['spec', 'replicas'], 'num'), t(['status', 'readyReplicas'], 'num'), t(['status', 'availableReplicas'], 'num'), t(['spec', 'template', 'spec', 'containers'], 'list')],
  'operator.pods': [t(['status', 'conditions'], 'list'), t(['metadata', 'deletionTimestamp'], 'str')],
};

const fits = (v: unknown, type: Expect): boolean => {
  switch (type) {
    case 'str': return typeof v === 'string';
    case 'num': return typeof v === 'number' && Number.isFinite(v);
    case 'bool': return typeof v === 'boolean';
    case 'list': return Array.isArray(v);
    case 'version': return false;
    default: return typeof v === 'object' && v !== null && !Array.isArray(v);
  }
};

const scalar = fc.oneof(
  fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(-0), fc.constant(Number.NaN),
  fc.constant(Infinity), fc.constant('nope'), fc.constant(''), fc.constant(7),
);
const junk = fc.oneof(scalar, fc.constant({}), fc.constant([]), fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 6 }), scalar, { maxKeys: 3 }), fc.anything({ maxDepth: 2 }));
const badVersion = fc.constantFrom(
  'postgres-operator.crunchydata.com/v2', 'postgres-operator.crunchydata.com/v1alpha1', 'v1beta1', 'example.com/v1beta1', '', 'postgres-operator.crunchydata.com',
);

type Mutation =
  | { kind: 'wrong'; list: ListName; at: number; typed: Typed; value: unknown }
  | { kind: 'missing' | 'null'; list: ListName; at: number; typed: Typed }
  | { kind: 'huge-string'; list: ListName; at: number; typed: Typed; size: number }
  | { kind: 'big-list'; list: ListName; at: number; typed: Typed; item: unknown; size: number }
  | { kind: 'many-objects'; list: ListName; size: number }
  | { kind: 'replace-object'; list: ListName; at: number; value: unknown }
  | { kind: 'break-list'; list: ListName; value: unknown }
  | { kind: 'add-junk'; list: ListName; value: unknown };

const lists = Object.keys(PATHS) as ListName[];
const typedIn = (list: ListName) => fc.constantFrom(...PATHS[list]!);
const at = fc.nat({ max: 20 });

const mutation: fc.Arbitrary<Mutation> = fc.constantFrom(...lists).chain((list) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('wrong' as const), list: fc.constant(list), at, typed: typedIn(list), value: junk }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('missing' as const, 'null' as const), list: fc.constant(list), at, typed: typedIn(list) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('huge-string' as const), list: fc.constant(list), at, typed: typedIn(list), size: fc.constantFrom(100_000, 1_000_000) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('big-list' as const), list: fc.constant(list), at, typed: typedIn(list), item: junk, size: fc.constantFrom(10_000) }) },
    // 10,000 objects of a kind; clusters stop at 1,000 here (10,000 take about 40 s through every path: see README).
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('many-objects' as const), list: fc.constant(list), size: fc.constantFrom(...(list === 'postgresClusters' ? [1_000] : [1_000, 10_000])) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('replace-object' as const), list: fc.constant(list), at, value: junk }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('break-list' as const), list: fc.constant(list), value: junk }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('add-junk' as const), list: fc.constant(list), value: junk }) },
  ),
);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Bag = Record<string, any>;

function listOf(snap: Snapshot, name: ListName): { get(): unknown; set(v: unknown): void } {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const holder: Bag = name.startsWith('operator.') ? snap.operator : snap.objects;
  const key = name.replace(/^operator\./, '');
  return { get: () => holder[key], set: (v) => (holder[key] = v) };
}

/** Sets `path` in `o` (creating objects on the way), or deletes it when value is undefined. */
function setPath(o: Bag, path: Array<string | number>, value: unknown, remove = false): void {
  let cur: Bag = o;
  for (const seg of path.slice(0, -1)) {
    if (typeof cur[seg] !== 'object' || cur[seg] === null) cur[seg] = typeof seg === 'number' ? [] : {};
    cur = cur[seg];
  }
  const last = path[path.length - 1];
  if (remove) delete cur[last];
  else cur[last] = value;
}

const fieldName = (path: Array<string | number>) => path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${p}` : p), '');

interface Applied {
  /** A field the engine must report unreadable, on which object, of which cluster (if it stays in one). */
  expect?: { field: string; name: string; cluster?: { namespace: string; name: string } };
}

function clusterOfObject(list: ListName, o: KObject): { namespace: string; name: string } | undefined {
  if (list.startsWith('operator.')) return undefined;
  const ns = o.metadata?.namespace ?? '';
  if (list === 'postgresClusters') return { namespace: ns, name: o.metadata.name };
  if (list === 'events') return o.involvedObject?.kind === 'PostgresCluster' ? { namespace: ns, name: o.involvedObject.name } : undefined;
  const c = o.metadata?.labels?.[LABEL.cluster];
  return typeof c === 'string' ? { namespace: ns, name: c } : undefined;
}

function apply(snap: Snapshot, m: Mutation): Applied {
  const l = listOf(snap, m.list);
  const items = l.get();
  if (m.kind === 'break-list') return l.set(m.value), {};
  if (!Array.isArray(items)) return {};
  if (m.kind === 'add-junk') return items.push(m.value), {};
  if (m.kind === 'many-objects') {
    const model = items[0] ?? { metadata: { name: 'x', namespace: 'db', labels: { [LABEL.cluster]: 'hippo' } } };
    for (let i = 0; i < m.size; i++) items.push({ ...model, metadata: { ...model.metadata, name: `${model.metadata?.name}-${i}`, uid: `u${i}` } });
    return {};
  }
  if (items.length === 0) return {};
  const i = m.at % items.length;
  if (m.kind === 'replace-object') return (items[i] = m.value), {};
  const o = items[i] as KObject;
  if (typeof o !== 'object' || o === null || typeof o.metadata?.name !== 'string') return {};
  const cluster = clusterOfObject(m.list, o);
  const { path, type, required } = m.typed;
  const field = fieldName(path);
  const expect = (value: unknown) => ({ expect: { field, name: o.metadata.name, cluster } });
  switch (m.kind) {
    case 'wrong': {
      const value = type === 'version' ? 'postgres-operator.crunchydata.com/v2' : m.value;
      setPath(o, path, value);
      return value === null || value === undefined || fits(value, type) ? (required && value == null ? expect(value) : {}) : expect(value);
    }
    case 'missing':
    case 'null':
      setPath(o, path, null, m.kind === 'missing');
      return required || type === 'version' ? expect(null) : {};
    case 'huge-string':
      setPath(o, path, 'x'.repeat(m.size));
      return type === 'str' ? {} : type === 'version' ? expect('x') : expect('x');
    case 'big-list': {
      const big = Array.from({ length: m.size }, () => m.item);
      setPath(o, path, big);
      return type === 'list' ? {} : expect(big);
    }
  }
}

const opts = (snap: Snapshot) => ({ maxLagBytes: DEFAULT_MAX_LAG_BYTES, now: new Date(Number.isNaN(Date.parse(snap.takenAt)) ? 0 : Date.parse(snap.takenAt)) });

/** Every verb's pure path over one snapshot. Returns what the properties look at. */
function everyPath(raw: Snapshot, live: Snapshot): { report: StatusReport; findings: Finding[] } {
  const views = buildClusterViews(raw);
  const findings = runChecks(raw, opts(raw), views);
  const report = buildStatusReport({ snapshot: raw, views, findings, health: (ref) => healthOf(ref, findings, raw), now: new Date(0) });
  for (const format of ['table', 'wide', 'json', 'yaml'] as const) {
    for (const color of [false, true]) renderStatus(report, { format, color });
  }
  JSON.parse(renderStatus(report, { format: 'json', color: false }).stdout);
  for (const c of report.clusters.slice(0, 20)) renderStatusDetail(report, c, { color: false });
  renderStateDiffs(views.map((v) => stateDiff(v, findings)), false);
  const plan = planHeal(views, findings, { unpause: true });
  for (const cp of plan.clusters) {
    const v = views.find((x) => x.namespace === cp.cluster.namespace && x.name === cp.cluster.name)!;
    progressOf(cp, v, v, findings, findings);
  }
  const liveViews = buildClusterViews(live);
  // switchover acts on one cluster: 20 of a fleet stand for it (each call reads every finding).
  for (const v of views.slice(0, 20)) {
    const pods = v.pods ?? [];
    for (const to of [undefined, v.instances[0]?.name, 'instance2', '']) {
      for (const type of ['Switchover', 'Failover'] as const) preflight({ view: v, findings, pods, to, type, maxLagBytes: DEFAULT_MAX_LAG_BYTES });
    }
    switchoverState(v, 'trigger', v.instances[0]?.name ?? 'x');
    const before = liveViews.find((x) => x.namespace === v.namespace && x.name === v.name);
    if (before) manifestConsequences(before.object, v.object, before);
  }
  newFindings(runChecks(live, opts(live)), findings);
  return { report, findings };
}

function snapshotOf(base: KObject[]): Snapshot {
  return snapshotFromObjects(structuredClone([...base, ...OPERATOR]), { operatorKnown: true });
}

let cases = 0;
let expected = 0;

test(`every object shape survives every verb's pure path (${RUNS} cases, seed ${SEED})`, () => {
  const started = Date.now();
  const r = fc.check(
    fc.property(fc.nat({ max: BASES.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (b, muts) => {
      cases++;
      const live = snapshotOf(BASES[b]);
      const snap = snapshotOf(BASES[b]);
      const applied = muts.map((m) => apply(snap, m));
      if (process.env.KPGO_FUZZ_TRACE) console.log(`case ${cases}: ${fc.stringify(muts).slice(0, 400)}`);
      const t0 = Date.now();
      const { report, findings } = everyPath(snap, live);
      if (process.env.KPGO_FUZZ_SLOW && Date.now() - t0 > Number(process.env.KPGO_FUZZ_SLOW)) console.log(`${Date.now() - t0} ms: ${fc.stringify(muts).slice(0, 300)}`);
      const unreadable = findings.filter((f) => f.code === 'UnreadableObject');
      // A cluster whose own object could not be read whole is never Healthy.
      for (const c of report.clusters) {
        if (c.findings.some((f) => f.code === 'UnreadableObject')) assert.is.not(c.health, 'Healthy', `${c.namespace}/${c.name}`);
      }
      // With one mutation, the finding names the object and the field, and its cluster is not Healthy.
      if (muts.length === 1 && applied[0].expect) {
        expected++;
        const e = applied[0].expect;
        const f = unreadable.find((x) => x.data?.name === e.name && (x.data.fields as string[]).includes(e.field));
        assert.ok(f, `UnreadableObject naming ${e.name} ${e.field}; got ${unreadable.map((x) => x.message).join(' | ') || 'none'}`);
        if (e.cluster) {
          const c = report.clusters.find((x) => x.namespace === e.cluster!.namespace && x.name === e.cluster!.name);
          if (c) assert.is.not(c.health, 'Healthy', `${e.cluster.namespace}/${e.cluster.name} after ${e.field}`);
        }
      }
      return true;
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
  if (r.failed) {
    const e = r.errorInstance as Error | undefined;
    throw new Error(`${e?.message ?? 'property failed'}\n  counterexample: ${fc.stringify(r.counterexample)}\n  reproduce: KPGO_FUZZ_SEED=${r.seed} (path ${r.counterexamplePath})\n${e?.stack?.split('\n').slice(1, 6).join('\n') ?? ''}`);
  }
  console.log(`fuzz: ${cases} cases (${expected} with one schema violation checked by name), seed ${SEED}, ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

test('the shapes named in issue 14: each crash or false Healthy of before', () => {
  const at = (mut: (s: Snapshot) => void) => {
    const s = snapshotOf(BASES[4]);
    mut(s);
    return everyPath(s, snapshotOf(BASES[4]));
  };
  const pod = (s: Snapshot) => s.objects.pods[0];
  const pgc = (s: Snapshot) => s.objects.postgresClusters[0];
  const cases: Array<[string, (s: Snapshot) => void, string]> = [
    ['status.conditions: "nope"', (s) => (pod(s).status.conditions = 'nope'), 'status.conditions'],
    ['containerStatuses: 7', (s) => (pod(s).status.containerStatuses = 7), 'status.containerStatuses'],
    ['no spec', (s) => delete pgc(s).spec, 'spec'],
    ['spec.instances not a list', (s) => (pgc(s).spec.instances = { name: 'a' }), 'spec.instances'],
    ['apiVersion .../v2', (s) => (pgc(s).apiVersion = 'postgres-operator.crunchydata.com/v2'), 'apiVersion'],
  ];
  for (const [what, mut, field] of cases) {
    const { report } = at(mut);
    const c = report.clusters[0];
    assert.is(report.clusters.length, 1, what);
    assert.is(c.health, 'Unknown', `${what}: ${c.findings.map((x) => x.code).join(', ')}`);
    const f = c.findings.find((x) => x.code === 'UnreadableObject');
    assert.ok(f, what);
    assert.match(f!.message, field, what);
  }
});

test.run();
