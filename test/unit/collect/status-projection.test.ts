// status lists database pods, StatefulSets, PVCs, Endpoints and Services through STATUS_PROJECTIONS
// (lib/kube/status-lists.ts): most of them is never decoded. What holds that to "nothing status
// shows changes": for every fixture (the real operator's recorded objects included) and with random
// fields added to their specs, statuses and containers, the StatusReport - which every format
// renders - and each cluster's --explain are the same from the projected objects as from the whole
// ones.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_MAX_LAG_BYTES } from '../../../lib/checks/index.ts';
import { compileProjection, project, type Projection } from '../../../lib/kube/projection.ts';
import { STATUS_PROJECTIONS } from '../../../lib/kube/status-lists.ts';
import type { KObject, Snapshot } from '../../../lib/model/types.ts';
import { shapeSnapshot } from '../../../lib/snapshot/shape.ts';
import { defaultDeps, reportOf, type StatusArgs } from '../../../lib/verbs/status.ts';
import { clone, fixture, objectsFromYaml, recorded, snapshotFromObjects } from '../../helpers/snapshot-from-yaml.ts';

const RUNS = Number(process.env.KPGO_FUZZ_RUNS ?? 150);
const SEED = Number(process.env.KPGO_FUZZ_SEED ?? 20261201);

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? yamlFiles(p) : p.endsWith('.yaml') ? [p] : [];
  });
}

const FILES = [
  ...yamlFiles(fixture('.')).filter((f) => !f.includes(`${path.sep}kube${path.sep}`)),
  recorded('v5.8.9', 'healthy.yaml'),
  recorded('v5.8.9', 'switchover-stuck-target-is-primary.yaml'),
  recorded('v6.0.3', 'healthy.yaml'),
];
const BASES = FILES.map((f) => ({ file: path.basename(f), objects: objectsFromYaml(readFileSync(f, 'utf8')) })).filter((b) => b.objects.some((o) => o.kind === 'PostgresCluster'));

const deps = { ...(await defaultDeps()), now: () => new Date('2026-11-25T17:12:30Z') };
const args = (cluster?: string): StatusArgs => ({
  flags: { allNamespaces: true, color: 'never' },
  output: 'json',
  maxLagBytes: DEFAULT_MAX_LAG_BYTES,
  watch: false,
  ...(cluster ? { cluster, explain: true } : {}),
});

/** As collect gives it to status: the projected lists projected, then shaped. */
function projected(snap: Snapshot): Snapshot {
  const s = clone(snap);
  for (const [list, p] of Object.entries(STATUS_PROJECTIONS) as Array<[keyof typeof STATUS_PROJECTIONS, Projection]>) {
    s.objects[list] = s.objects[list].map((o) => project(o, compileProjection(p)) as KObject);
  }
  return shapeSnapshot(s);
}

function reports(snap: Snapshot): string[] {
  const names = snap.objects.postgresClusters.map((c) => c.metadata.name);
  return [JSON.stringify(reportOf(snap, args(), deps)), ...names.map((n) => JSON.stringify(reportOf(snap, args(n), deps)))];
}

function assertSame(objects: KObject[], what: string): void {
  const snap = snapshotFromObjects(objects);
  const whole = reports(shapeSnapshot(clone(snap)));
  const cut = reports(projected(snap));
  assert.equal(cut, whole, what);
}

test('every fixture, the recorded operator objects included: the same reports from the projected lists', () => {
  assert.ok(BASES.length >= 8, `fixtures found: ${BASES.map((b) => b.file).join(', ')}`);
  const dropped = new Set<string>();
  for (const b of BASES) {
    assertSame(b.objects, b.file);
    for (const o of b.objects) {
      if (o.kind === 'Pod' && o.spec?.volumes) dropped.add('Pod');
      if (['PersistentVolumeClaim', 'Endpoints', 'Service'].includes(o.kind ?? '') && (o.spec || o.subsets)) dropped.add(o.kind ?? '');
    }
  }
  // The test means something only when the projection drops something from them.
  assert.equal([...dropped].sort(), ['Endpoints', 'PersistentVolumeClaim', 'Pod', 'Service']);
});

const json = fc.jsonValue({ maxDepth: 3 });
const SPEC_KEYS = ['volumes', 'template', 'affinity', 'containers', 'initContainers', 'nodeName', 'replicas', 'selector', 'serviceName', 'updateStrategy', 'x'];
const CONTAINER_KEYS = ['env', 'ports', 'resources', 'readinessProbe', 'volumeMounts', 'command', 'securityContext', 'y'];

test('random fields added to the projected kinds\' specs (PVCs, Endpoints and Services: statuses too) and containers, StatefulSet replicas varied: still the same reports', () => {
  fc.assert(
    fc.property(
      fc.nat({ max: BASES.length - 1 }),
      fc.dictionary(fc.constantFrom(...SPEC_KEYS.filter((k) => !['containers', 'initContainers', 'nodeName', 'replicas'].includes(k))), json, { maxKeys: 4 }),
      fc.dictionary(fc.constantFrom(...CONTAINER_KEYS), json, { maxKeys: 4 }),
      fc.option(fc.nat({ max: 3 })),
      (i, extraSpec, extraContainer, replicas) => {
        const objects = clone(BASES[i].objects);
        for (const o of objects) {
          if (['PersistentVolumeClaim', 'Endpoints', 'Service'].includes(o.kind ?? '')) {
            o.spec = { ...(o.spec ?? {}), ...clone(extraSpec) };
            o.status = { ...(o.status ?? {}), ...clone(extraSpec) };
            continue;
          }
          if (o.kind !== 'Pod' && o.kind !== 'StatefulSet') continue;
          o.spec = { ...(o.spec ?? {}), ...clone(extraSpec) };
          // Kept by the projection, so the same on both sides; varied so that dropping it would show.
          if (o.kind === 'StatefulSet' && replicas !== null) o.spec.replicas = replicas;
          const podSpec = o.kind === 'Pod' ? o.spec : o.spec.template?.spec;
          for (const c of [...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])]) if (c && typeof c === 'object') Object.assign(c, clone(extraContainer));
        }
        assertSame(objects, BASES[i].file);
      },
    ),
    { numRuns: Math.ceil(RUNS / 3), seed: SEED },
  );
});

test.run();
