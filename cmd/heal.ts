// `kubectl pgo heal`: flags and help only; the work is in lib/verbs/heal.ts (loaded lazily).
import type { Verb } from '../lib/cli/verb.ts';
import { globalFlagsOf, withClusterArg } from '../lib/cli/global-flags.ts';
import { processIO } from '../lib/cli/io.ts';
import { helpTable } from '../lib/rbac/help-table.ts';


export const heal: Verb = {
  command: 'heal [CLUSTER]',
  describe: 'Remove what keeps PGO from converging (safely: shown, confirmed, backed up, conditional)',
  builder: (y) =>
    y
      .positional('CLUSTER', { type: 'string', describe: 'PostgresCluster name (default: every cluster in the namespace; -A: all)' })
      .option('dry-run', { type: 'string', defaultDescription: 'none', describe: 'none | client (print the plan only; a bare --dry-run means client) | server (send with dryRun=All: validated, nothing stored)' })
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Apply without asking (required when stdin is not a terminal)' })
      .option('wait', { type: 'boolean', default: true, describe: 'Wait until PGO has converged (--wait=false: apply and return)' })
      .option('timeout', { type: 'string', default: '5m', describe: 'How long to wait for PGO (e.g. 300s, 5m)' })
      .option('backup-dir', { type: 'string', describe: 'Where the objects are saved before they are changed', defaultDescription: '$XDG_STATE_HOME/kubectl-pgo/backups or ~/.local/state/kubectl-pgo/backups' })
      .option('unpause', { type: 'boolean', default: false, describe: 'Also heal ReconcilePaused by setting spec.paused to false (pausing is usually deliberate)' })
      .option('force', { type: 'boolean', default: false, describe: 'Write even when the PGO operator is missing or not ready (nothing converges until it runs)' })
      .option('max-lag', { type: 'string', describe: 'Replication lag above which a replica is reported (bytes; Ki Mi Gi)', defaultDescription: '16Mi' })
      .option('operator-log', { type: 'string', describe: "How far back PGO's own log is read for reconcile errors (e.g. 30m, 1h), or off", defaultDescription: '15m' })
      .option('output', { alias: 'o', type: 'string', describe: 'json | yaml: the outcome as data on stdout (progress goes to stderr)' })
      .example('kubectl pgo heal hippo -n db', 'Show the plan, ask, save the object, patch it, wait until PGO converged')
      .example('kubectl pgo heal hippo -n db --dry-run=client', 'Only print the plan (each change as the exact patch, on which object, and why)')
      .example('kubectl pgo heal hippo -n db --dry-run=server', 'Let the API server validate the patches; nothing is stored')
      .example('kubectl pgo heal -A --yes --timeout 10m', 'Every cluster, without a prompt (scripts, CI)')
      .example('kubectl pgo heal hippo -n db --unpause --yes', 'Also lift spec.paused')
      .epilogue(
        [
          'Remedies (one conditional merge patch per PostgresCluster, nothing else is ever written):',
          '  SwitchoverBlocked, SwitchoverLeftEnabled, SwitchoverTriggerLeft:',
          '    spec.patroni.switchover.enabled=false AND remove the trigger-switchover annotation',
          '  ReconcilePaused (spec.paused): spec.paused=false, only with --unpause',
          '  anything else: no automatic remedy; heal prints what a person can do.',
          'heal removes what blocks PGO and lets PGO do its job: it never creates StatefulSets or',
          'pods, never deletes anything, never touches a PVC, a Secret or the primary.',
          '',
          'Safety: every patch carries the resourceVersion that was read (409 if the object changed;',
          'heal then reads again, plans again, shows the new plan and asks again). The object is',
          'saved first; restore it with: kubectl replace -f <the printed backup file>.',
          'Refuses when the PGO operator is missing or not ready, unless --force.',
          '',
          'Exit codes: 0 healed, or nothing to do; 2 findings heal acted on remain after the wait',
          '(or PGO cannot act: paused, operator down), or a blocking finding only a person can fix',
          '(its remedy printed); 1 error, refused, or no confirmation.',
          '',
          helpTable('heal'),
        ].join('\n'),
      ),
  run: async (argv) => {
    const { parseHealArgs, runHeal } = await import('../lib/verbs/heal.ts');
    const flags = globalFlagsOf(argv);
    argv = withClusterArg(argv);
    return runHeal(parseHealArgs(argv, flags), processIO(flags.color));
  },
};
