// diff: desired against actual for clusters, or the live object against a manifest.
import { readFileSync } from 'node:fs';
import { dump, loadAll } from 'js-yaml';
import { ExitError } from '../cli/exit.ts';
import type { GlobalFlags } from '../cli/global-flags.ts';
import type { IO } from '../cli/io.ts';
import { connect } from '../kube/connect.ts';
import { collect, type Scope } from '../collect/collect.ts';
import { loadSnapshot } from '../snapshot/from-file.ts';
import { buildClusterViews } from '../view/cluster-view.ts';
import { DEFAULT_MAX_LAG_BYTES as MAX_LAG, runChecks } from '../checks/index.ts';
import type { KObject, Snapshot } from '../model/types.ts';
import { stateDiff } from '../diff/state-diff.ts';
import { manifestConsequences, newFindings } from '../diff/consequences.ts';
import { predictApply, validateManifest } from '../diff/manifest.ts';
import { renderManifestDiff, renderStateDiffs } from '../diff/render.ts';
import { gapLines } from '../report/gaps.ts';

export const DIFF_API_VERSION = 'kubectl-pgo.crunchy-tools.dev/v1alpha1';


export interface DiffOptions {
  flags: GlobalFlags;
  cluster?: string;
  file?: string;
  from?: string;
  output: 'text' | 'json' | 'yaml';
  io: IO;
  readStdin?: () => string;
}

function emit(io: IO, output: DiffOptions['output'], data: unknown, text: () => string): void {
  if (output === 'json') io.out(`${JSON.stringify(data, null, 2)}\n`);
  else if (output === 'yaml') io.out(dump(data, { lineWidth: -1, noRefs: true }));
  else io.out(text());
}

/** Exit codes as kubectl diff: 0 no differences, 1 differences, 2 error. */
export async function runDiff(o: DiffOptions): Promise<number> {
  try {
    return o.file ? await manifestDiff(o) : await clusterDiff(o);
  } catch (e) {
    if (e instanceof ExitError && e.code === 1) throw new ExitError(e.message, 2);
    if (e instanceof ExitError) throw e;
    throw new ExitError(`error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, 2);
  }
}

async function clusterDiff(o: DiffOptions): Promise<number> {
  const scope: Scope = { allNamespaces: o.flags.allNamespaces, namespace: o.flags.namespace ?? 'default', cluster: o.cluster };
  let snap: Snapshot;
  if (o.from) snap = loadSnapshot(o.from, scope);
  else {
    const client = await connect(o.flags);
    snap = await collect(client, { ...scope, namespace: o.flags.namespace ?? client.defaultNamespace });
  }
  o.io.err(gapLines(snap.gaps));
  const findings = runChecks(snap, { maxLagBytes: MAX_LAG, now: new Date(snap.takenAt) });
  const diffs = buildClusterViews(snap).map((v) => stateDiff(v, findings));
  emit(o.io, o.output, { apiVersion: DIFF_API_VERSION, kind: 'StateDiff', clusters: diffs }, () => renderStateDiffs(diffs, o.io.color));
  return diffs.some((d) => d.differences.length > 0) ? 1 : 0;
}

function readManifest(o: DiffOptions): { text: string; source: string } {
  if (o.file === '-') return { text: (o.readStdin ?? (() => readFileSync(0, 'utf8')))(), source: 'stdin' };
  try {
    return { text: readFileSync(o.file!, 'utf8'), source: o.file! };
  } catch (e) {
    throw new ExitError(`error: cannot read ${o.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 2);
  }
}

async function manifestDiff(o: DiffOptions): Promise<number> {
  const { text, source } = readManifest(o);
  let docs: unknown[];
  try {
    docs = (loadAll(text) as unknown[]).filter((d) => d !== null && d !== undefined);
  } catch (e) {
    throw new ExitError(`error: ${source}: invalid YAML: ${(e as Error).message.split('\n')[0]}`, 2);
  }
  if (docs.length !== 1) throw new ExitError(`error: ${source}: expected exactly one PostgresCluster, found ${docs.length} documents`, 2);
  const client = await connect(o.flags);
  const manifest = validateManifest(docs[0], source, o.flags.namespace ?? client.defaultNamespace);
  const { live, predicted, diff } = await predictApply(client, manifest);
  let consequences = live ? manifestConsequences(live, predicted, undefined) : [];
  let added: ReturnType<typeof newFindings> = [];
  if (live) {
    const scope: Scope = { allNamespaces: false, namespace: manifest.metadata.namespace!, cluster: manifest.metadata.name };
    const snap = await collect(client, scope);
    o.io.err(gapLines(snap.gaps));
    const opts = { maxLagBytes: MAX_LAG, now: new Date(snap.takenAt) };
    const view = buildClusterViews(snap)[0];
    consequences = manifestConsequences(live, predicted, view);
    const predictedSnap = withCluster(snap, predicted);
    added = newFindings(runChecks(snap, opts), runChecks(predictedSnap, opts));
  }
  const result = { diff, consequences, newFindings: added, created: !live };
  emit(
    o.io,
    o.output,
    {
      apiVersion: DIFF_API_VERSION,
      kind: 'ManifestDiff',
      cluster: { namespace: manifest.metadata.namespace, name: manifest.metadata.name },
      created: !live,
      diff,
      consequences,
      findings: added,
    },
    () => renderManifestDiff(result, o.io.color),
  );
  return diff || !live ? 1 : 0;
}

function withCluster(snap: Snapshot, cluster: KObject): Snapshot {
  const others = snap.objects.postgresClusters.filter(
    (c) => !(c.metadata.name === cluster.metadata.name && c.metadata.namespace === cluster.metadata.namespace),
  );
  return { ...snap, objects: { ...snap.objects, postgresClusters: [...others, cluster] } };
}
