// `kubectl pgo status`: flags and help only; the work is in lib/verbs/status.ts (loaded lazily).
import type { Verb } from '../lib/cli/verb.ts';
import { globalFlagsOf, withClusterArg } from '../lib/cli/global-flags.ts';
import { processIO } from '../lib/cli/io.ts';
import { helpTable } from '../lib/rbac/help-table.ts';


export const status: Verb = {
  command: 'status [CLUSTER]',
  describe: 'What is wrong with PostgresClusters and why PGO is not fixing it',
  builder: (y) =>
    y
      .positional('CLUSTER', { type: 'string', describe: 'PostgresCluster name (default: every cluster in the namespace)' })
      .option('output', { alias: 'o', type: 'string', default: 'table', describe: 'Output format: table|wide|json|yaml|prometheus' })
      .option('from', { type: 'string', describe: 'Read objects from a file or directory (kubectl get -o yaml|json output) instead of the API' })
      .option('max-lag', { type: 'string', describe: 'Replication lag above which a replica is reported (bytes; suffixes Ki Mi Gi, k M G)', defaultDescription: '16Mi' })
      .option('contexts', { type: 'string', describe: 'Kubeconfig contexts to read at once (a,b,c): one table with a CONTEXT column' })
      .option('all-contexts', { type: 'boolean', default: false, describe: 'Every context of the kubeconfig (as --contexts)' })
      .option('context-concurrency', { type: 'number', describe: 'With --contexts/--all-contexts: contexts read at once', defaultDescription: '8' })
      .option('operator-log', { type: 'string', describe: "How far back PGO's own log is read for reconcile errors (e.g. 30m, 1h), or off", defaultDescription: '15m' })
      .option('explain', { type: 'boolean', default: false, describe: "With CLUSTER: PGO's reconcile pipeline for it, step by step (ok, failing, skipped), and what each skipped step leaves unresolved" })
      .option('generation-grace', { type: 'string', describe: 'How long status.observedGeneration may lag the spec before SpecNotObserved (e.g. 30s, 5m)', defaultDescription: '2m' })
      .option('watch', { alias: 'w', type: 'boolean', default: false, describe: 'Print again whenever a cluster or one of its StatefulSets, pods, Endpoints, PVCs or Services changes (Ctrl-C to stop)' })
      .example('kubectl pgo status -A', 'One line per PostgresCluster in every namespace, most severe finding first')
      .example('kubectl pgo status hippo -n db', 'One cluster in detail: instances, switchover, backups, pgBouncer, findings with the commands that fix them')
      .example('kubectl pgo status -A -o json', 'The report as data (StatusReport, kubectl-pgo.crunchy-tools.dev/v1alpha1; see README)')
      .example('kubectl pgo status --from dump.yaml', 'Diagnose from a dump (made as shown below), with no access to the cluster')
      .example('kubectl pgo status hippo -n db --explain', "PGO's reconcile steps for hippo: which one fails, which are skipped, what stays unresolved")
      .example('kubectl pgo status hippo -n db --watch', 'Follow a cluster while it converges')
      .example('kubectl pgo status -A --contexts staging,prod', 'Every cluster of two kubeconfig contexts in one table, worst first')
      .example('kubectl pgo status -A -o prometheus', 'Metrics to alert on (text exposition format; see README, "Metrics")')
      .epilogue(
        [
          'Health: Healthy | Degraded (wrong, but PGO can still fix it) | Blocked (PGO cannot',
          'converge by itself) | Unknown (could not be read).',
          '',
          'Exit codes: 0 no error finding; 2 at least one error finding; 1 the verb could not run',
          '(usage, kubeconfig, API, postgresclusters list forbidden, --from unreadable, not found).',
          'With --watch, Ctrl-C ends it with the code of the last report.',
          'With --contexts/--all-contexts: the highest code of all contexts; a context that cannot be',
          'read (unreachable, credentials, forbidden, PGO not installed) counts 1 and is a line of its',
          'own. Each context gets --request-timeout (default 30s there).',
          '',
          'A dump for --from (a file or a directory of such files):',
          '  kubectl get postgrescluster,sts,pod,pvc,endpoints,svc,deploy,job,event -n db -o yaml > dump.yaml',
          '',
          helpTable('status'),
        ].join('\n'),
      ),
  run: async (argv) => {
    const { parseStatusArgs, runStatus } = await import('../lib/verbs/status.ts');
    const flags = globalFlagsOf(argv);
    argv = withClusterArg(argv);
    return runStatus(parseStatusArgs(argv, flags), processIO(flags.color));
  },
};
