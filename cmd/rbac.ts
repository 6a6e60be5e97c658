// `kubectl pgo rbac`: flags and help only; the work is in lib/rbac/ (loaded lazily).
import { globalFlagsOf } from '../lib/cli/global-flags.ts';
import { processIO } from '../lib/cli/io.ts';
import type { Verb } from '../lib/cli/verb.ts';

export const rbac: Verb = {
  command: 'rbac',
  describe: 'The Role/ClusterRole YAML (and bindings) that chosen verbs need, and nothing more',
  builder: (y) =>
    y
      .option('verbs', { type: 'string', describe: 'Comma-separated verbs: status, diff, heal, switchover, dump, version, completion, or all', defaultDescription: 'all' })
      .option('operator-namespace', { type: 'string', describe: "The namespace PGO runs in (PGO's log is read there)", defaultDescription: 'postgres-operator' })
      .option('optional', { type: 'boolean', default: true, describe: 'Include the optional rules (each commented with what is lost without it); --optional=false: only what the verbs cannot run without' })
      .option('name', { type: 'string', describe: 'Name of the Role/ClusterRole (others get -cluster, -operator)', defaultDescription: 'kubectl-pgo-<verbs>' })
      .option('serviceaccount', { type: 'string', describe: 'Bind the roles to this ServiceAccount, NAMESPACE:NAME (repeatable)' })
      .option('user', { type: 'string', describe: 'Bind the roles to this user (repeatable; here not the kubeconfig user, as in kubectl create rolebinding)' })
      .option('group', { type: 'string', describe: 'Bind the roles to this group (repeatable)' })
      .example('kubectl pgo rbac --verbs status,diff -n db | kubectl apply -f -', 'A Role in db for status and diff (plus the optional cluster-wide and operator-namespace rules)')
      .example('kubectl pgo rbac --verbs heal,switchover -n db --serviceaccount ops:oncall', 'The same for the writing verbs, bound to the ServiceAccount ops/oncall')
      .example('kubectl pgo rbac --verbs status -A --optional=false --group sre', 'A ClusterRole with only what status cannot do without, bound to the group sre')
      .epilogue(
        [
          'Prints YAML for kubectl apply -f -; never talks to the cluster. Without -A: a Role in the namespace',
          '(-n, else the context\'s), a ClusterRole NAME-cluster for what is read across the cluster (finding',
          'the operator, the CRD) and a Role NAME-operator in --operator-namespace (PGO\'s log). With -A: one',
          'ClusterRole for both of the first two. Each rule is commented with the verbs that need it and',
          'whether it is required or optional (and what is lost without it); see each verb\'s --help for',
          'the same facts as a table. Bindings only when a subject is given.',
          '',
          'Exit codes: 0 printed; 1 usage (an unknown verb, a malformed subject).',
        ].join('\n'),
      ),
  run: async (argv) => {
    const { parseRbacArgs, runRbac } = await import('../lib/rbac/verb.ts');
    const flags = globalFlagsOf(argv);
    return runRbac(await parseRbacArgs(argv, flags), processIO(flags.color));
  },
};
