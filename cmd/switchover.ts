// `kubectl pgo switchover`: flags and help only; the work is in lib/verbs/switchover.ts (loaded lazily).
import type { Verb } from '../lib/cli/verb.ts';
import { globalFlagsOf, withClusterArg } from '../lib/cli/global-flags.ts';
import { processIO } from '../lib/cli/io.ts';
import { helpTable } from '../lib/rbac/help-table.ts';


export const switchover: Verb = {
  command: 'switchover <CLUSTER>',
  describe: 'Move the primary to another instance: checked first, waited for, verified, cleaned up',
  builder: (y) =>
    y
      .positional('CLUSTER', { type: 'string', describe: 'PostgresCluster name' })
      .option('to', { type: 'string', describe: 'Target: instance (StatefulSet) name, its pod name, or an unambiguous set name or suffix (default: the healthiest replica)' })
      .option('type', { type: 'string', default: 'switchover', describe: 'switchover (planned, needs a running primary) | failover (needs --to)' })
      .option('wait', { type: 'boolean', default: true, describe: 'Wait until the target is primary (--wait=false: request and return)' })
      .option('timeout', { type: 'string', default: '5m', describe: 'How long to wait (e.g. 90s, 5m)' })
      .option('dry-run', { type: 'string', defaultDescription: 'none', describe: 'none | client (print only; a bare --dry-run means client) | server (send with dryRun=All: validated, nothing stored)' })
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask (required when stdin is not a terminal)' })
      .option('keep-enabled', { type: 'boolean', default: false, describe: 'Leave spec.patroni.switchover enabled and the trigger set afterwards' })
      .option('max-lag', { type: 'string', describe: 'Refuse a target lagging more than this (bytes; Ki Mi Gi)' })
      .option('backup-dir', { type: 'string', describe: 'Where the object is saved before it is changed', defaultDescription: '$XDG_STATE_HOME/kubectl-pgo/backups or ~/.local/state/kubectl-pgo/backups' })
      .option('output', { alias: 'o', type: 'string', describe: 'json | yaml: the outcome as data on stdout (progress goes to stderr)' })
      .example('kubectl pgo switchover hippo -n db', 'Pick the healthiest replica, say why, ask, switch over, verify, disarm')
      .example('kubectl pgo switchover hippo -n db --to instance2 --yes', 'To the only instance of set instance2, without a prompt')
      .example('kubectl pgo switchover hippo -n db --to hippo-instance2-k5cc-0 --max-lag 1Mi', 'By pod name, only if it lags at most 1 MiB')
      .example('kubectl pgo switchover hippo -n db --type failover --to k5cc --yes', 'Promote a replica when there is no healthy primary')
      .example('kubectl pgo switchover hippo -n db --dry-run=client', 'Run every check and print the write, change nothing')
      .epilogue(
        [
          'Refused (exit 1, nothing changed) when: fewer than two instances; the target is missing,',
          'the primary already, not a replica, not ready, or has not exactly one running pod; failover',
          'without --to; the cluster is paused or shut down; a switchover is already pending; the PGO',
          'operator is missing or not ready; the target lags above --max-lag; a Patroni nofailover tag.',
          '',
          'The request is one conditional merge patch (spec.patroni.switchover enabled with target and',
          'type, plus a fresh trigger-switchover annotation); the object is saved first (path printed;',
          'restore with kubectl replace -f FILE). Verified by Patroni\'s leader annotation and role',
          'labels, not only by status.patroni.switchover. Afterwards the switchover is disabled and',
          'the annotation removed, unless --keep-enabled (a switchover left enabled fires again).',
          '',
          'Exit codes: 0 switched over and verified (with --wait=false: requested); 1 refused or',
          'error; 2 not verified in time (the checks say what PGO is stuck on).',
          '',
          helpTable('switchover'),
        ].join('\n'),
      ),
  run: async (argv) => {
    const { parseSwitchoverArgs, runSwitchover } = await import('../lib/verbs/switchover.ts');
    const flags = globalFlagsOf(argv);
    argv = withClusterArg(argv);
    return runSwitchover(parseSwitchoverArgs(argv, flags), processIO(flags.color));
  },
};
