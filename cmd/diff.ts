import type { Verb } from '../lib/cli/verb.ts';
import { globalFlagsOf, withClusterArg } from '../lib/cli/global-flags.ts';
import { processIO } from '../lib/cli/io.ts';
import { helpTable } from '../lib/rbac/help-table.ts';

export const diff: Verb = {
  command: 'diff [CLUSTER]',
  describe: 'Desired (spec) against actual (objects), or what a manifest change would make PGO do',
  builder: (y) =>
    y
      .positional('CLUSTER', { type: 'string', describe: 'PostgresCluster name (default: every cluster in the namespace)' })
      .option('filename', { alias: 'f', type: 'string', describe: 'A PostgresCluster manifest to compare with the live object ("-" for stdin)' })
      .option('from', { type: 'string', describe: 'Read objects from a file or directory (kubectl get -o yaml output) instead of the API' })
      .option('output', { alias: 'o', choices: ['text', 'json', 'yaml'] as const, default: 'text', describe: 'Output format' })
      .conflicts('filename', 'from')
      .example('kubectl pgo diff hippo -n db', 'What differs between the spec and the objects, and whether PGO will fix it')
      .example('kubectl pgo diff -A -o json', 'The same for every cluster, as data')
      .example('kubectl pgo diff -f hippo.yaml', 'Field diff of a manifest against the live object (server-side dry run), then its consequences')
      .example('kubectl get postgrescluster hippo -o yaml | sed s/replicas: 2/replicas: 1/ | kubectl pgo diff -f -', 'Preview a change from stdin')
      .epilogue(
        [
          'Exit codes (as kubectl diff): 0 no differences, 1 differences found, 2 error (usage, API, manifest rejected by the server).',
          '',
          'With -f the manifest is sent as a server-side apply with dryRun=All (field manager kubectl-pgo): defaults and validation are',
          "the server's, nothing is changed. Consequences that delete data (removing an instance set, lowering replicas) are printed first.",
          '',
          helpTable('diff'),
        ].join('\n'),
      ),
  run: async (argv) => {
    const { runDiff } = await import('../lib/verbs/diff.ts');
    const flags = globalFlagsOf(argv);
    argv = withClusterArg(argv);
    return runDiff({ flags, cluster: argv.cluster, file: argv.filename, from: argv.from, output: argv.output, io: processIO(flags.color) });
  },
};
