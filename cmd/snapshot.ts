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
  void preload().then(prepare);
  return true;
}

// The modules the verbs import lazily (cmd/*.ts, lib/verbs/status.ts): evaluated into the snapshot.
async function preload(): Promise<void> {
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
