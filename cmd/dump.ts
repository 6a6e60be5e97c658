// `kubectl pgo dump`: flags and help only; the work is in lib/dump/ (loaded lazily).
import { globalFlagsOf, withClusterArg } from '../lib/cli/global-flags.ts';
import { processIO } from '../lib/cli/io.ts';
import { helpTable } from '../lib/rbac/help-table.ts';
import type { Verb } from '../lib/cli/verb.ts';

export const dump: Verb = {
  command: 'dump [CLUSTER]',
  describe: 'Save what status and diff read (objects, the operator and its recent log) to hand over for --from',
  builder: (y) =>
    y
      .positional('CLUSTER', { type: 'string', describe: 'PostgresCluster name (default: every cluster in the namespace)' })
      .option('filename', { alias: 'f', type: 'string', describe: 'Where to write: a FILE.tar.gz (or .tgz), else a new or empty directory', demandOption: true })
      .option('operator-log', { type: 'string', describe: "How far back PGO's own log is saved (e.g. 30m, 1h), or off", defaultDescription: '15m' })
      .example('kubectl pgo dump hippo -n db -f hippo.tar.gz', 'One cluster, its operator and the last 15 minutes of its log, in one archive')
      .example('kubectl pgo dump -A -f pgo-dump/', 'Every cluster, as files in a directory')
      .example('kubectl pgo status --from hippo.tar.gz', 'Whoever gets the dump: the same findings, without access to the cluster')
      .epilogue(
        [
          'Written: MANIFEST (context, server, scope, when, what was captured, what was forbidden, what',
          'was redacted), objects.yaml (a List: the PostgresClusters, their StatefulSets, pods, PVCs,',
          'Endpoints, Services, Deployments, Jobs, Events; the operator Deployment and pods; the CRD\'s',
          'served versions and release), and operator-<namespace>-<pod>-<container>.log per operator pod.',
          'Never read: Secrets. Taken out: every env value (valueFrom kept), the annotation',
          'kubectl.kubernetes.io/last-applied-configuration and any annotation whose key names a',
          'credential. A dump never overwrites a file or a non-empty directory.',
          '',
          'Exit codes: 0 written (parts that were forbidden are named on stderr and in MANIFEST);',
          '1 nothing written (usage, kubeconfig, API, postgresclusters forbidden, target exists).',
          '',
          helpTable('dump'),
        ].join('\n'),
      ),
  run: async (argv) => {
    const [{ parseDumpArgs, runDump, defaultDumpDeps }] = await Promise.all([import('../lib/dump/verb.ts')]);
    const flags = globalFlagsOf(argv);
    argv = withClusterArg(argv);
    return runDump(parseDumpArgs(argv, flags), processIO(flags.color), await defaultDumpDeps());
  },
};
