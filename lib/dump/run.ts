// `kubectl pgo dump`: exactly what `status --from` and `diff --from` read, and nothing more -
// the objects of the scope (the same LISTs as status), the operator's Deployment and pods, its
// recent log (the same bounded read as status, when permitted), the CRD's served versions and
// release, and a MANIFEST naming what was captured, what was forbidden and when. Secrets are
// never read; env values and credential annotations are taken out (lib/dump/sanitize.ts).
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump as toYaml } from 'js-yaml';
import { ExitError } from '../cli/exit.ts';
import type { GlobalFlags } from '../cli/global-flags.ts';
import type { IO } from '../cli/io.ts';
import type { Scope } from '../collect/collect.ts';
import type { ApiClient } from '../kube/api.ts';
import type { KObject, Snapshot, SnapshotObjects } from '../model/types.ts';
import type { LogWindow } from '../operator-log/source.ts';
import { STATUS_REPORT_API_VERSION } from '../report/schema.ts';
import { MANIFEST } from './manifest.ts';
import { sanitize, type Redactions } from './sanitize.ts';
import { writeTarGz, type TarEntry } from './tar.ts';

export interface DumpArgs {
  flags: GlobalFlags;
  cluster?: string;
  /** A .tar.gz/.tgz file, else a directory (created; must be empty). */
  target: string;
  operatorLog?: LogWindow;
}

export interface LogText {
  namespace: string;
  pod: string;
  container: string;
  text: string;
}

export interface DumpDeps {
  connect(flags: GlobalFlags): Promise<ApiClient>;
  /** The same collection as status, also handing over the raw text of each operator log read. */
  collect(client: ApiClient, scope: Scope, operatorLog: LogWindow | undefined): Promise<{ snapshot: Snapshot; logs: LogText[] }>;
  now(): Date;
  version: string;
}

const PGO_GROUP = 'postgres-operator.crunchydata.com';
const KINDS: Array<[keyof SnapshotObjects, string, string]> = [
  ['statefulSets', 'apps/v1', 'StatefulSet'],
  ['pods', 'v1', 'Pod'],
  ['pvcs', 'v1', 'PersistentVolumeClaim'],
  ['endpoints', 'v1', 'Endpoints'],
  ['services', 'v1', 'Service'],
  ['deployments', 'apps/v1', 'Deployment'],
  ['jobs', 'batch/v1', 'Job'],
  ['events', 'v1', 'Event'],
];

export const isArchive = (target: string) => /\.(tar\.gz|tgz)$/i.test(target);

/** Refuses before anything is read: a dump never overwrites. */
export function checkTarget(target: string): void {
  if (!existsSync(target)) return;
  if (isArchive(target)) throw new ExitError(`error: "${target}" already exists; a dump never overwrites: choose another name`);
  let entries: string[];
  try {
    entries = readdirSync(target);
  } catch {
    throw new ExitError(`error: "${target}" exists and is not a directory; give a new directory or a .tar.gz file name`);
  }
  if (entries.length) throw new ExitError(`error: the directory "${target}" is not empty; a dump never overwrites: give a new or empty directory`);
}

/** Lists hand their items over without kind/apiVersion; a dump must say them, as kubectl get does. */
function typed(o: KObject, apiVersion: string, kind: string): KObject {
  return { apiVersion: o.apiVersion ?? apiVersion, kind: o.kind ?? kind, ...o };
}

function crdStub(snap: Snapshot): KObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `postgresclusters.${PGO_GROUP}`, ...(snap.pgo.crdVersion ? { labels: { 'app.kubernetes.io/version': snap.pgo.crdVersion } } : {}) },
    spec: { group: PGO_GROUP, names: { kind: 'PostgresCluster', plural: 'postgresclusters' }, versions: snap.pgo.apiVersions.map((name) => ({ name, served: true })) },
  };
}

const logFileName = (l: LogText) => `operator-${l.namespace}-${l.pod}-${l.container}.log`;

export function dumpFiles(snap: Snapshot, logs: LogText[], meta: { version: string; createdAt: Date }): { files: TarEntry[]; redactions: Redactions; counts: Record<string, number> } {
  const version = snap.pgo.apiVersions[0] ?? 'v1beta1';
  const all: KObject[] = [
    ...snap.objects.postgresClusters.map((o) => typed(o, `${PGO_GROUP}/${version}`, 'PostgresCluster')),
    ...KINDS.flatMap(([key, api, kind]) => snap.objects[key].map((o) => typed(o, api, kind))),
    ...snap.operator.deployments.map((o) => typed(o, 'apps/v1', 'Deployment')),
    ...snap.operator.pods.map((o) => typed(o, 'v1', 'Pod')),
    crdStub(snap),
  ];
  const { objects, redactions } = sanitize(all);
  const counts: Record<string, number> = {};
  for (const o of objects) counts[o.kind as string] = (counts[o.kind as string] ?? 0) + 1;
  const manifest = {
    apiVersion: STATUS_REPORT_API_VERSION,
    kind: 'DumpManifest',
    createdAt: meta.createdAt.toISOString(),
    objectsReadAt: snap.takenAt,
    tool: { name: 'kubectl-pgo', version: meta.version },
    source: snap.source,
    scope: snap.scope,
    pgo: snap.pgo,
    captured: { 'objects.yaml': counts, logs: logs.map((l) => ({ file: logFileName(l), namespace: l.namespace, pod: l.pod, container: l.container, bytes: Buffer.byteLength(l.text) })) },
    operatorLogWindow: snap.operatorLog?.sources.find((s) => s.window)?.window ?? null,
    forbidden: snap.gaps.map((g) => ({ verb: g.verb, resource: g.resource, namespace: g.namespace ?? null, status: g.status ?? null, message: g.message })),
    redacted: { envValues: redactions.envValues, annotations: redactions.annotations, rules: 'every env value (valueFrom kept); annotations last-applied-configuration and any whose key names a credential; Secrets never read' },
  };
  const files: TarEntry[] = [
    { name: MANIFEST, data: Buffer.from(toYaml(manifest, { noRefs: true, lineWidth: -1 })) },
    { name: 'objects.yaml', data: Buffer.from(toYaml({ apiVersion: 'v1', kind: 'List', items: objects }, { noRefs: true, lineWidth: -1 })) },
    ...logs.map((l) => ({ name: logFileName(l), data: Buffer.from(l.text) })),
  ];
  return { files, redactions, counts };
}

export async function runDump(args: DumpArgs, io: IO, deps: DumpDeps): Promise<number> {
  checkTarget(args.target);
  const client = await deps.connect(args.flags);
  const f = args.flags;
  const scope: Scope = { allNamespaces: f.allNamespaces, namespace: f.namespace ?? client.defaultNamespace ?? 'default', cluster: args.cluster };
  const { snapshot, logs } = await deps.collect(client, scope, args.operatorLog);
  if (args.cluster && snapshot.objects.postgresClusters.length === 0) {
    throw new ExitError(`error: PostgresCluster "${args.cluster}" not found in namespace "${scope.namespace}"`);
  }
  const { files, redactions, counts } = dumpFiles(snapshot, logs, { version: deps.version, createdAt: deps.now() });
  if (isArchive(args.target)) {
    writeFileSync(args.target, writeTarGz(files, deps.now().getTime()), { flag: 'wx' });
  } else {
    mkdirSync(args.target, { recursive: true });
    for (const file of files) writeFileSync(join(args.target, file.name), file.data, { flag: 'wx' });
  }
  const what = Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ');
  io.err(`Wrote ${args.target}: ${what}; ${logs.length} operator log${logs.length === 1 ? '' : 's'}; ` +
    `${redactions.envValues} env values and ${redactions.annotations} annotations redacted; ${snapshot.gaps.length} forbidden (see MANIFEST).\n`);
  for (const g of snapshot.gaps) io.err(`Warning: not in the dump: ${g.message}\n`);
  io.err(`Read it with: kubectl pgo status --from ${args.target}\n`);
  return 0;
}
