// Tests only: the world the end-to-end status tests stand in - an operator that looks installed,
// clusters created through the API - and reading what `kubectl pgo status -o json` prints.
import type { ClusterStatus, StatusReport } from '../../lib/report/schema.ts';
import { createCluster, createOperatorStandIn, ensureTestNode, keepTestNodeAlive, makeIncident, shapeCluster, type ClusterObjects } from './pgo-cluster.ts';
import { startFakeKubelet } from './fake-kubelet.ts';
import { createNamespace, deleteNamespace, describeRun, pgoCrds, uniqueName, type RunResult } from './sandbox.ts';

export interface World {
  operatorNamespace: string;
  namespaces: string[];
  clusters: ClusterObjects[];
  /** Creates a namespace that cleanup() deletes. */
  namespace(prefix: string): Promise<string>;
  /** Creates the recorded healthy cluster NAME in NS; `incident` then breaks it the seed way. */
  cluster(ns: string, name: string, opts?: { incident?: boolean }): Promise<ClusterObjects>;
  cleanup(): Promise<void>;
}

/** Test node, an operator stand-in of the suite's PGO version in a namespace of its own. */
export async function makeWorld(prefix: string): Promise<World> {
  const version = pgoCrds();
  await ensureTestNode();
  const stop = keepTestNodeAlive();
  // The stand-in operator's pod is on the test node: its pods/log is served (empty unless a test sets one).
  const stopKubelet = await startFakeKubelet();
  const namespaces: string[] = [];
  const clusters: ClusterObjects[] = [];
  const world: World = {
    operatorNamespace: '',
    namespaces,
    clusters,
    async namespace(p) {
      const ns = uniqueName(p);
      namespaces.push(ns);
      await createNamespace(ns);
      return ns;
    },
    async cluster(ns, name, opts = {}) {
      const c = shapeCluster(version, ns, name);
      await createCluster(c);
      if (opts.incident) await makeIncident(c);
      clusters.push(c);
      return c;
    },
    async cleanup() {
      stop();
      await Promise.all(namespaces.map((ns) => deleteNamespace(ns)));
      await stopKubelet();
    },
  };
  world.operatorNamespace = await world.namespace(`${prefix}-pgo`);
  await createOperatorStandIn(version, world.operatorNamespace);
  return world;
}

/** The StatusReport a `-o json` run printed; fails with the run's output when it is not one. */
export function reportOf(r: RunResult): StatusReport {
  try {
    const report = JSON.parse(r.stdout) as StatusReport;
    if (report.kind !== 'StatusReport') throw new Error(`kind is ${String(report.kind)}`);
    return report;
  } catch (e) {
    throw new Error(`not a StatusReport (${(e as Error).message})\n${describeRun('status -o json', r)}`);
  }
}

export function clusterIn(report: StatusReport, ns: string, name: string): ClusterStatus {
  const c = report.clusters.find((x) => x.namespace === ns && x.name === name);
  if (!c) throw new Error(`${ns}/${name} not in the report (has: ${report.clusters.map((x) => `${x.namespace}/${x.name}`).join(', ')})`);
  return c;
}

export const codesOf = (c: ClusterStatus) => c.findings.map((f) => f.code);
export const errorsOf = (c: ClusterStatus) => c.findings.filter((f) => f.severity === 'error');

/** The table row of NS/NAME in `status -A` output, split on runs of spaces. */
export function rowOf(stdout: string, ns: string, name: string): string[] | undefined {
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((cols) => cols[0] === ns && cols[1] === name);
}
