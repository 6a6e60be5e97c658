// Runs Crunchy's kubectl-pgo in our place: same arguments, same stdin/stdout/stderr, its exit code.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { CALLED_AS_PEER_ENV } from './find-peer.ts';

export function passThrough(peer: string, args: string[], self: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(peer, args, { stdio: 'inherit', env: { ...process.env, [CALLED_AS_PEER_ENV]: self } });
    // Ctrl-C reaches the whole process group; we only wait for the peer to decide how to end.
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);
    const done = (code: number) => {
      for (const [s, h] of handlers) process.off(s, h);
      resolve(code);
    };
    child.on('error', (e) => {
      process.stderr.write(`error: cannot run Crunchy's kubectl-pgo at ${peer}: ${e.message}\n`);
      done(1);
    });
    child.on('exit', (code, signal) => done(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
  });
}

/** The first line of `<peer> version --client` ("Client Version: v0.5.2"), or why there is none. */
export function peerVersion(peer: string, self: string, timeoutMs = 5000): Promise<{ line?: string; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn(peer, ['version', '--client'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, [CALLED_AS_PEER_ENV]: self },
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ error: e.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').map((l) => l.trim()).find(Boolean);
      if (code === 0 && line) resolve({ line });
      else resolve({ error: signal === 'SIGKILL' ? `no answer within ${timeoutMs / 1000} s` : (err.trim().split('\n')[0] || `exit code ${code}`) });
    });
  });
}
