// PGO's pgBackRest backup Job pods (label postgres-operator.crunchydata.com/pgbackrest-backup):
// their container is Crunchy's runner /opt/crunchy/bin/pgbackrest, which finds the pod named by
// its SELECTOR env, compares config hashes and execs `pgbackrest $COMMAND $COMMAND_OPTS` there
// through the API's pods/exec. The image is not here, so this stands in for that container: the
// same exec (a `bash -ceu` script into the repo host's CONTAINER, with client-node's Exec through
// the API server), then the pod's phase as a kubelet would report it (Succeeded on exit 0, else Failed), so
// the Job controller completes or fails the Job. kwok's pod-complete stage leaves these pods alone
// (up.sh). Simulated: the runner's own config hash is taken over the target's files (the Job
// mounts the same ConfigMap/Secret projection as the repo host, pgbackrest_repo.conf).
import { PatchStrategy, type ExecRun, type Kube, type KObj } from '../../kube/client.ts';
import { logLine } from './control.ts';

export const BACKUP_LABEL = 'postgres-operator.crunchydata.com/pgbackrest-backup';
const log = (m: string) => logLine('backup-job', m);

const CONF_FILES = [
  'export LC_ALL=C',
  'shopt -s globstar',
  'conf=(/etc/pgbackrest/conf.d/**)',
  'for i in "${!conf[@]}"; do [[ -f "${conf[$i]}" ]] || unset -v "conf[$i]"; done',
].join('\n');
const HASH_SCRIPT = `${CONF_FILES}\nsha1sum "\${conf[@]}" | sha1sum`;
const RUN_SCRIPT = (command: string) => [
  CONF_FILES,
  'declare -r want="$1"',
  'have="$(sha1sum "${conf[@]}" | sha1sum)"',
  `if [[ "$have" != "$want" ]]; then printf >&2 'hash %s does not match local hash %s' "$want" "$have"; exit 1`,
  'else',
  `  ${command}`,
  'fi',
].join('\n');

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export class BackupJobs {
  private readonly running = new Set<string>(); // pod UIDs whose command runs or ran
  constructor(private readonly kube: Kube) {}

  /** Starts the command of every Running backup Job pod not started yet. */
  reconcile(pods: KObj[]): void {
    const live = new Set(pods.map((p) => p.metadata.uid!));
    for (const uid of this.running) if (!live.has(uid)) this.running.delete(uid);
    for (const pod of pods) {
      if (pod.status?.phase !== 'Running' || pod.metadata.deletionTimestamp || this.running.has(pod.metadata.uid!)) continue;
      this.running.add(pod.metadata.uid!);
      this.run(pod).catch((e: Error) => log(`${pod.metadata.namespace}/${pod.metadata.name}: ${e.message}`));
    }
  }

  private async run(pod: KObj): Promise<void> {
    const container = pod.spec?.containers?.[0];
    const env = new Map<string, string>((container?.env ?? []).map((e: any) => [e.name, e.value ?? '']));
    const ns = env.get('NAMESPACE') ?? pod.metadata.namespace!;
    const startedAt = Date.now();
    const target = (await this.kube.list(`/api/v1/namespaces/${ns}/pods`, env.get('SELECTOR') ?? '')).items
      .find((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);
    let result: ExecRun;
    if (!target) {
      result = { code: 1, stdout: '', stderr: `no running pod for selector ${env.get('SELECTOR')}` };
    } else {
      const inTarget = (cmd: string[]) => this.kube.exec(ns, target.metadata.name, env.get('CONTAINER') ?? 'pgbackrest', cmd, 15 * 60_000);
      const command = `pgbackrest ${env.get('COMMAND') ?? 'backup'} ${env.get('COMMAND_OPTS') ?? ''}`.trim();
      if (env.get('COMPARE_HASH') === 'true') {
        const hash = await inTarget(['bash', '-ceu', '--', HASH_SCRIPT]);
        result = hash.code !== 0 ? hash : await inTarget(['bash', '-ceu', '--', RUN_SCRIPT(command), '-', hash.stdout.trim()]);
      } else {
        result = await inTarget(['bash', '-ceu', '--', command]);
      }
    }
    const where = `${pod.metadata.namespace}/${pod.metadata.name}`;
    log(`${where}: exit ${result.code} after ${((Date.now() - startedAt) / 1000).toFixed(1)} s${result.code ? `: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
    await this.finish(pod, container?.name ?? 'pgbackrest', result.code, startedAt);
  }

  /** The pod's terminal status, as a kubelet reports a container that exited. */
  private async finish(pod: KObj, name: string, exitCode: number, startedAt: number): Promise<void> {
    const now = iso(Date.now());
    const phase = exitCode === 0 ? 'Succeeded' : 'Failed';
    const conditions = (pod.status?.conditions ?? []).map((c: any) =>
      c.type === 'Ready' || c.type === 'ContainersReady'
        ? { ...c, status: 'False', reason: 'PodCompleted', lastTransitionTime: now }
        : c);
    const prev = (pod.status?.containerStatuses ?? []).find((c: any) => c.name === name) ?? { name, image: pod.spec?.containers?.[0]?.image ?? '' };
    const containerStatuses = [{
      ...prev,
      ready: false,
      started: false,
      restartCount: 0,
      state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: iso(startedAt), finishedAt: now } },
    }];
    await this.kube.patch(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`,
      { status: { phase, conditions, containerStatuses } }, PatchStrategy.MergePatch);
  }
}
