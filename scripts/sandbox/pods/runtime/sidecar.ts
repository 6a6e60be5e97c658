// A pod's other long-running container (its `pgbackrest server`): the container's command in
// its own view (shims/pod-enter), restarted like restartPolicy Always, stopped with the pod.
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { alive, signal, waitGone, withDescendants } from './procs.ts';

export interface SidecarSpec {
  key: string;            // namespace/pod:container, for the log
  command: string[];      // the container's command + args, unchanged
  env: Record<string, string>;
  viewFile: string;
  enter: string;          // path of shims/pod-enter
  logFile: string;
  graceMs: number;
}

export class Sidecar {
  private child?: ChildProcess;
  private timer?: NodeJS.Timeout;
  private wanted = false;
  private backoffMs = 1000;
  private startedAt = 0;
  restarts = 0;

  constructor(readonly spec: SidecarSpec, private readonly log: (m: string) => void) {}

  get pid(): number | undefined {
    return this.child?.pid && alive(this.child.pid) ? this.child.pid : undefined;
  }

  start(): void {
    this.wanted = true;
    if (this.child) return;
    const out = fs.openSync(this.spec.logFile, 'a');
    const child = spawn('unshare', ['--mount', '--propagation', 'private', '--', this.spec.enter, ...this.spec.command], {
      env: { ...this.spec.env, KPGO_VIEW: this.spec.viewFile },
      detached: true,
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    this.child = child;
    this.startedAt = Date.now();
    child.on('exit', (code, sig) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (!this.wanted) return;
      if (Date.now() - this.startedAt > 60_000) this.backoffMs = 1000;
      this.restarts++;
      this.log(`${this.spec.key}: ${this.spec.command.join(' ')} exited (${sig ?? `code ${code}`}); restart in ${this.backoffMs} ms`);
      this.timer = setTimeout(() => { this.timer = undefined; if (this.wanted) this.start(); }, this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
    });
  }

  /** SIGHUP, as PGO's pgbackrest-config container sends on a configuration change. */
  reload(): void {
    if (this.pid) signal([this.pid], 'SIGHUP');
  }

  async stop(): Promise<void> {
    this.wanted = false;
    if (this.timer) clearTimeout(this.timer);
    const pids = withDescendants([this.pid].filter((p): p is number => !!p));
    this.child = undefined;
    if (!pids.length) return;
    signal(pids, 'SIGTERM');
    if (!(await waitGone(pids, this.spec.graceMs))) signal(withDescendants(pids), 'SIGKILL');
  }
}
