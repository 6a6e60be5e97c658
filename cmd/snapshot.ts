// The Linux single executable starts from a V8 start-up snapshot (scripts/package/sea.mjs): Node
// runs this bundle once at build time with --build-snapshot, then saves the heap. Everything
// evaluated before that - yargs, the verbs, the engine, the renderers - costs nothing at start.
// node:http, node:https and node:tls cannot be in a snapshot: the bundle reaches them through a
// lazy shim (scripts/build.mjs) that loads them on first use. The Node 20 bundle never runs this.
import { startupSnapshot } from 'node:v8';

/**
 * True while the snapshot is being built: then `prepare` runs now (its state is saved) and `run`
 * at each start of the executable.
 */
export function deferToSnapshot(run: () => void, prepare: () => Promise<void>): boolean {
  if (!startupSnapshot?.isBuildingSnapshot?.()) return false;
  startupSnapshot.setDeserializeMainFunction(run);
  void preload().then(warmStatus).then(prepare);
  return true;
}

// A one-cluster dump as kubectl writes it: `status --from` it once while the snapshot is built, so
// the reader, views, checks and renderers are compiled already when the executable starts.
const SAMPLE = `apiVersion: v1
items:
- apiVersion: postgres-operator.crunchydata.com/v1beta1
  kind: PostgresCluster
  metadata:
    creationTimestamp: "2026-01-01T00:00:00Z"
    generation: 1
    name: sample
    namespace: db
    resourceVersion: "1"
  spec:
    instances:
    - dataVolumeClaimSpec:
        accessModes:
        - ReadWriteOnce
      name: instance1
      replicas: 1
    postgresVersion: 16
  status:
    conditions:
    - lastTransitionTime: "2026-01-01T00:00:00Z"
      message: 'ready: yes'
      reason: Ready
      status: "True"
      type: Ready
    instances:
    - name: instance1
      readyReplicas: 1
      replicas: 1
    observedGeneration: 1
- apiVersion: v1
  kind: Pod
  metadata:
    labels:
      postgres-operator.crunchydata.com/cluster: sample
      postgres-operator.crunchydata.com/instance-set: instance1
      postgres-operator.crunchydata.com/role: master
    name: sample-instance1-abcd-0
    namespace: db
  spec:
    containers:
    - command:
      - patroni
      name: database
  status:
    phase: Running
    containerStatuses:
    - name: database
      ready: true
      state:
        running:
          startedAt: "2026-01-01T00:00:00Z"
kind: List
metadata:
  resourceVersion: ""
`;

async function warmStatus(): Promise<void> {
  const [{ runStatus, parseStatusArgs, defaultDeps }, { memoryIO }, { globalFlagsOf }] = await Promise.all([
    import('../lib/verbs/status.ts'),
    import('../lib/cli/io.ts'),
    import('../lib/cli/global-flags.ts'),
  ]);
  const deps = await defaultDeps();
  const load = deps.loadSnapshot;
  deps.loadSnapshot = (_path, scope) => (load as (p: string, s: typeof scope, o: { stdin: () => string }) => ReturnType<typeof load>)('-', scope, { stdin: () => SAMPLE });
  for (const output of ['table', 'json']) {
    try {
      await runStatus(parseStatusArgs({ from: 'sample.yaml', output }, globalFlagsOf({ color: 'never' })), memoryIO(), deps);
    } catch {
      // Only warming up: whatever the checks make of the sample does not matter.
    }
  }
}

// The modules the verbs import lazily (cmd/*.ts, lib/verbs/status.ts): evaluated into the snapshot.
async function preload(): Promise<void> {
  // `version` asks node:sea whether it runs as the single executable: its module is loaded now
  // rather than compiled at run time (isSea() itself is asked at run time).
  process.getBuiltinModule?.('node:sea');
  await Promise.all([
    import('../lib/verbs/status.ts'),
    import('../lib/view/cluster-view.ts'),
    import('../lib/checks/index.ts'),
    import('../lib/snapshot/from-file.ts'),
    import('../lib/collect/collect.ts'),
    import('../lib/kube/connect.ts'),
    import('../lib/verbs/diff.ts'),
    import('../lib/verbs/heal.ts'),
    import('../lib/verbs/switchover.ts'),
    import('../lib/version/run.ts'),
    import('../lib/completion/scripts.ts'),
  ]);
}
