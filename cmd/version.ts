import { globalFlagsOf } from '../lib/cli/global-flags.ts';
import { processIO } from '../lib/cli/io.ts';
import { helpTable } from '../lib/rbac/help-table.ts';
import type { Verb } from '../lib/cli/verb.ts';

export const version: Verb = {
  command: 'version',
  describe: 'Client version and runtime, Crunchy\'s kubectl-pgo when also on PATH, and the PGO version in the cluster',
  builder: (y) =>
    y
      .option('client', { type: 'boolean', default: false, describe: 'Only the client (no cluster access)' })
      .option('output', { alias: 'o', choices: ['json', 'yaml'] as const, describe: 'Output format (default: text)' })
      .example('kubectl pgo version', 'This plugin, and the operator found in the current context')
      .example('kubectl pgo version --client -o json', 'Only this plugin, as data')
      .epilogue(
        [
          'The operator is the Deployment (else the pods) labelled postgres-operator.crunchydata.com/control-plane, in any',
          'namespace (the current one only when listing across namespaces is forbidden). Its version comes from the',
          'app.kubernetes.io/version label, else the image tag, else the postgresclusters CRD\'s version label.',
          '',
          'Exit codes: 0 ok; 1 the cluster part is missing (the client part is still printed, the reason on stderr).',
          '',
          `${helpTable('version')}\n  None with --client.`,
        ].join('\n'),
      ),
  run: async (argv) => {
    const { runVersion } = await import('../lib/version/run.ts');
    const flags = globalFlagsOf(argv);
    return runVersion({ flags, clientOnly: Boolean(argv.client), output: argv.output, io: processIO(flags.color) });
  },
};
