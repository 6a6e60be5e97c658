import type { Verb } from '../lib/cli/verb.ts';

export const status: Verb = {
  command: 'status [cluster]',
  describe: 'What is wrong with PostgresClusters and why PGO is not fixing it',
  builder: (y) => y.positional('cluster', { type: 'string', describe: 'PostgresCluster name' }),
  run: async () => {
    process.stdout.write('not yet\n');
    return 0;
  },
};
