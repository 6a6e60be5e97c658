// The frame every e2e/operator suite shares: a namespace of its own, created once the operator is
// known to run and deleted at the end, and the timings the suite measured printed last (with
// which operator, the model or a real binary, produced them).
import type { Test } from 'uvu';
import { PGC, operatorKind, operatorLog, requireOperator, type Obj } from './operator.ts';
import { apiOk, createNamespace, deleteNamespace, uniqueName } from './sandbox.ts';

export interface OperatorSuite {
  ns: string;
  timings: string[];
  /** API path of a StatefulSet in the suite's namespace. */
  sts(name: string): string;
  /** The operator's log lines about one PostgresCluster of the suite. */
  clusterLog(cluster: string): string[];
  /** POSTs a PostgresCluster manifest into the suite's namespace. */
  createCluster(manifest: Obj): Promise<void>;
}

/** Registers test.before/test.after; `setUp` runs after the namespace exists, `tearDown` after it is deleted. */
export function operatorSuite(test: Test, prefix: string, hooks: { setUp?: () => Promise<void>; tearDown?: () => void } = {}): OperatorSuite {
  const ns = uniqueName(prefix);
  const suite: OperatorSuite = {
    ns,
    timings: [],
    sts: (name) => `/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`,
    clusterLog: (cluster) => operatorLog().split('\n').filter((l) => l.includes(`PostgresCluster=${ns}/${cluster}`)),
    createCluster: async (manifest) => {
      await apiOk('POST', `${PGC}/namespaces/${ns}/postgresclusters`, manifest);
    },
  };
  test.before(async () => {
    await requireOperator();
    await createNamespace(ns);
    await hooks.setUp?.();
  });
  test.after(async () => {
    if (suite.timings.length) console.log(`  [${operatorKind()}] ${suite.timings.join('; ')}`);
    await deleteNamespace(ns);
    hooks.tearDown?.();
  });
  return suite;
}
