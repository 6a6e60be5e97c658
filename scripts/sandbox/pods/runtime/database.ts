// One pod's database: a real Patroni process (which runs PostgreSQL), restarted like a container
// with restartPolicy Always, stopped like a container on pod deletion, and crashable on purpose.
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { Ports } from './pod-config.ts';
import { alive, postmasterPid, pssKb, rssKb, signal, waitGone, withDescendants } from './procs.ts';

export interface DatabaseSpec {
  namespace: string;
  pod: string;
  podUid: string;
  podDir: string;
  dataDir: string;    // PGDATA on the host
  podDataDir: string; // PGDATA as the container sees it
  volumeDirs: string[]; // persistent volumes of the pod (keyed by claim UID)
  configDir: string;  // Patroni's configuration directory on the host
  command: string[];  // run in the container's view: unshare + shims/pod-enter + the container's command
  env: Record<string, string>;
  ports: Ports;
  logFile: string;
  graceMs: number;
}

export type DbState = 'running' | 'backoff' | 'stopping' | 'stopped' | 'held';

export interface PatroniStatus {
  role?: string;
  state?: string;
  timeline?: number;
}

export class Database {
  private child?: ChildProcess;
  private restartTimer?: NodeJS.Timeout;
  private wanted = true;
  private holdRestart = false;
  startedAt = 0;
  lastExitAt = 0;
  lastProbeAt = 0;
  private backoffMs = 1000;
  restarts = 0;
  state: DbState = 'stopped';
  slot = '';

  constructor(readonly spec: DatabaseSpec, private readonly log: (m: string) => void) {}

  get key(): string {
    return `${this.spec.namespace}/${this.spec.pod}`;
  }
  get patroniPid(): number | undefined {
    return this.child?.pid && alive(this.child.pid) ? this.child.pid : undefined;
  }
  get postgresPid(): number | undefined {
    return postmasterPid(this.spec.dataDir, this.spec.podDataDir);
  }

  start(): void {
    this.wanted = true;
    this.holdRestart = false;
    if (this.child) return;
    // Like a new container: nothing of the previous one survives.
    const orphans = withDescendants([this.postgresPid].filter((p): p is number => !!p));
    if (orphans.length) signal(orphans, 'SIGKILL');
    const out = fs.openSync(this.spec.logFile, 'a');
    const [cmd, ...args] = this.spec.command;
    const child = spawn(cmd, args, {
      env: this.spec.env,
      cwd: this.spec.podDir,
      detached: true,
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    this.child = child;
    this.startedAt = Date.now();
    this.state = 'running';
    fs.writeFileSync(`${this.spec.podDir}/state.json`, JSON.stringify({
      patroniPid: child.pid, dataDir: this.spec.dataDir, podDataDir: this.spec.podDataDir,
    }));
    this.log(`${this.key}: started patroni (pid ${child.pid}, postgres 127.0.0.1:${this.spec.ports.postgres}, api 127.0.0.1:${this.spec.ports.api})`);
    child.on('exit', (code, sig) => {
      this.lastExitAt = Date.now();
      if (this.child !== child) return;
      this.child = undefined;
      if (!this.wanted || this.holdRestart) return;
      // Crash loop backoff as the kubelet does it, shorter: 1 s doubling to 30 s, reset after 60 s up.
      if (Date.now() - this.startedAt > 60_000) this.backoffMs = 1000;
      this.restarts++;
      this.state = 'backoff';
      this.log(`${this.key}: patroni exited (${sig ?? `code ${code}`}); restart ${this.restarts} in ${this.backoffMs} ms`);
      this.restartTimer = setTimeout(() => { this.restartTimer = undefined; if (this.wanted && !this.holdRestart) this.start(); }, this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
    });
  }

  /** Stops Patroni cleanly (it stops PostgreSQL), then makes sure nothing of it is left. */
  async stop(reason: string, hold = false): Promise<void> {
    this.wanted = hold ? true : false;
    this.holdRestart = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.state = 'stopping';
    const patroni = this.patroniPid;
    if (patroni) {
      this.log(`${this.key}: stopping patroni (pid ${patroni}): ${reason}`);
      signal([patroni], 'SIGTERM');
      if (!(await waitGone([patroni], this.spec.graceMs))) {
        this.log(`${this.key}: patroni still runs after ${this.spec.graceMs} ms: SIGKILL`);
      }
    }
    const rest = withDescendants([patroni, this.postgresPid].filter((p): p is number => !!p));
    if (rest.length) {
      signal(rest, 'SIGTERM');
      if (!(await waitGone(rest, 10_000))) signal(withDescendants(rest), 'SIGKILL');
      await waitGone(rest, 5_000);
    }
    this.child = undefined;
    this.state = hold ? 'held' : 'stopped';
  }

  /** A crash: SIGKILL to Patroni, PostgreSQL and every process of theirs, no clean shutdown. */
  async crash(restartAfterMs: number | 'never'): Promise<number[]> {
    this.holdRestart = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const pids = withDescendants([this.patroniPid, this.postgresPid].filter((p): p is number => !!p));
    signal(pids, 'SIGKILL');
    await waitGone(pids, 5_000);
    this.child = undefined;
    this.lastExitAt = Date.now();
    this.restarts++;
    this.log(`${this.key}: crashed on request (SIGKILL ${pids.join(' ')}); restart ${restartAfterMs === 'never' ? 'held until /start' : `in ${restartAfterMs} ms`}`);
    if (restartAfterMs === 'never') this.state = 'held';
    else {
      this.state = 'backoff';
      this.restartTimer = setTimeout(() => { this.restartTimer = undefined; if (this.wanted) this.start(); }, restartAfterMs);
    }
    return pids;
  }

  /** HTTP status of a GET on Patroni's REST API (0 when nothing answers), like a kubelet probe. */
  probe(urlPath: string): Promise<number> {
    return new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: this.spec.ports.api, path: urlPath, timeout: 1500 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(0));
    });
  }

  patroni(): Promise<PatroniStatus | undefined> {
    return new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: this.spec.ports.api, path: '/patroni', timeout: 1500 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch {
            resolve(undefined);
          }
        });
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(undefined));
    });
  }

  async describe(): Promise<Record<string, unknown>> {
    const patroni = this.patroniPid;
    const postgres = this.postgresPid;
    const st = patroni ? await this.patroni() : undefined;
    return {
      namespace: this.spec.namespace,
      pod: this.spec.pod,
      podUid: this.spec.podUid,
      state: this.state,
      role: st?.role ?? null,
      patroniState: st?.state ?? null,
      timeline: st?.timeline ?? null,
      postgresPort: this.spec.ports.postgres,
      apiPort: this.spec.ports.api,
      dataDir: this.spec.dataDir,
      configDir: this.spec.configDir,
      logFile: this.spec.logFile,
      patroniPid: patroni ?? null,
      postgresPid: postgres ?? null,
      restarts: this.restarts,
      patroniRssKb: patroni ? rssKb([patroni]) : 0,
      postgresRssKb: postgres ? rssKb(withDescendants([postgres])) : 0,
      patroniPssKb: patroni ? pssKb([patroni]) : 0,
      postgresPssKb: postgres ? pssKb(withDescendants([postgres])) : 0,
    };
  }
}
