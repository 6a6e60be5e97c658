import type { Verb } from '../lib/cli/verb.ts';
import { helpTable } from '../lib/rbac/help-table.ts';

export const completion: Verb = {
  command: 'completion <shell>',
  describe: 'Shell completion script for kubectl-pgo (bash, zsh, fish)',
  builder: (y) =>
    y
      .positional('shell', { choices: ['bash', 'zsh', 'fish'] as const, describe: 'The shell to complete in' })
      .example('source <(kubectl pgo completion bash)', 'Complete kubectl-pgo in this bash session')
      .example('kubectl pgo completion zsh > "${fpath[1]}/_kubectl-pgo"', 'Install for zsh')
      .example('kubectl pgo completion fish > ~/.config/fish/completions/kubectl-pgo.fish', 'Install for fish')
      .epilogue(
        [
          'These scripts complete the kubectl-pgo command. `kubectl pgo <TAB>` is completed by kubectl itself (1.26+), which',
          'runs kubectl_complete-pgo from PATH: it ships in the release archive (see the Krew caveats to link it).',
          'Candidates: verbs, flags, and PostgresCluster and instance names from the current context (2 s at most).',
          '',
          helpTable('completion'),
        ].join('\n'),
      ),
  run: async (argv) => {
    const { completionScript } = await import('../lib/completion/scripts.ts');
    process.stdout.write(completionScript(argv.shell));
    return 0;
  },
};
