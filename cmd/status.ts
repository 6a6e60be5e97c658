// `kubectl pgo status`: flags and help only; the work is in lib/verbs/status.ts (loaded lazily).
import type { Verb } from '../lib/cli/verb.ts';
import { globalFlagsOf } from '../lib/cli/global-flags.ts';
import { processIO } from '../lib/cli/io.ts';

const RBAC = [
  'RBAC requirements (ask your cluster admin for these in the namespaces you look at, or cluster-wide for -A):',
  '  RESOURCE                                     VERBS',
  '  postgresclusters.postgres-operator...        list, get, watch (watch only with --watch)',
  '  statefulsets.apps, pods                      list, watch (watch only with --watch)',
  '  persistentvolumeclaims, endpoints, services  list',
  '  deployments.apps, jobs.batch, events         list',
  '  deployments.apps, pods (all namespaces)      list  (optional: finds the operator; without it: operator Unknown)',
  '  customresourcedefinitions.apiextensions...   get   (optional: the PGO version the CRD declares)',
  'Without the postgresclusters list nothing can be reported (exit 1). Any other list that is forbidden',
  'makes what it covers Unknown and prints a warning naming the missing permission; the rest is reported.',
].join('\n');

export const status: Verb = {
  command: 'status [cluster]',
  describe: 'What is wrong with PostgresClusters and why PGO is not fixing it',
  builder: (y) =>
    y
      .positional('cluster', { type: 'string', describe: 'PostgresCluster name (default: every cluster in the namespace)' })
      .option('output', { alias: 'o', type: 'string', default: 'table', describe: 'Output format: table|wide|json|yaml' })
      .option('from', { type: 'string', describe: 'Read objects from a file or directory (kubectl get -o yaml|json output) instead of the API' })
      .option('max-lag', { type: 'string', describe: 'Replication lag above which a replica is reported (bytes; suffixes Ki Mi Gi, k M G)', defaultDescription: '16Mi' })
      .option('watch', { alias: 'w', type: 'boolean', default: false, describe: 'Print again whenever a cluster, StatefulSet or pod changes (Ctrl-C to stop)' })
      .example('kubectl pgo status -A', 'One line per PostgresCluster in every namespace, most severe finding first')
      .example('kubectl pgo status hippo -n db', 'One cluster in detail: instances, switchover, backups, pgBouncer, findings with the commands that fix them')
      .example('kubectl pgo status -n db -o json | jq \'.clusters[] | select(.health != "Healthy")\'', 'The report as data (schema kubectl-pgo.crunchy-tools.dev/v1alpha1, see README)')
      .example('kubectl get postgrescluster,sts,pods,pvc,endpoints,svc,deploy,jobs -n db -o yaml > dump.yaml && kubectl pgo status --from dump.yaml', 'Diagnose from a dump, with no access to the cluster')
      .example('kubectl pgo status hippo -n db --watch', 'Follow a cluster while it converges')
      .epilogue(
        [
          'Health: Healthy | Degraded (something is wrong, PGO can still fix it) | Blocked (PGO cannot converge by itself) | Unknown (not readable).',
          'Exit codes: 0 no error finding; 2 at least one error finding; 1 the verb could not run (usage, kubeconfig, API, the',
          'PostgresCluster list forbidden, --from unreadable, cluster not found). With --watch: the code of the last report.',
          '',
          RBAC,
        ].join('\n'),
      ),
  run: async (argv) => {
    const { parseStatusArgs, runStatus } = await import('../lib/verbs/status.ts');
    const flags = globalFlagsOf(argv);
    return runStatus(parseStatusArgs(argv, flags), processIO(flags.color));
  },
};
