// Pod exec through the API's pods/exec subresource, using the sandbox's kubectl (the model has
// no SPDY/WebSocket client of its own). The error message is the API's, as PGO reports it.
// SPDY, as PGO v5.8.9's client-go executor: over WebSocket the apiserver's translation wraps
// the error a second time ("Internal error occurred: Internal error occurred: ...").
// stdin, when given, is written and then closed, as PGO's executor does with its io.Reader.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { ExecResult } from './switchover.ts';
import type { StdinExec } from './exec-steps.ts';

/** A failed exec: the API's message, and what the command wrote before it failed. */
export class ExecError extends Error {
  constructor(
    message: string,
    readonly stdout = '',
    readonly stderr = '',
  ) {
    super(message);
  }
}

export function kubectlExec(kubectl: string, kubeconfig: string, timeoutMs = 60_000): StdinExec {
  return (namespace, pod, container, command, stdin) =>
    new Promise<ExecResult>((resolve, reject) => {
      const interactive = stdin === undefined ? [] : ['-i'];
      const child = spawn(kubectl, ['--kubeconfig', kubeconfig, 'exec', ...interactive, '-n', namespace, pod, '-c', container, '--', ...command], {
        stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        env: { ...process.env, KUBECONFIG: kubeconfig, KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' },
      });
      if (stdin !== undefined && child.stdin) {
        child.stdin.on('error', () => {}); // the command may exit before reading it all
        child.stdin.end(stdin);
      }
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new ExecError(e.message));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) {
          resolve({ stdout, stderr });
          return;
        }
        const { message, remote } = splitStderr(stderr, code, signal);
        reject(new ExecError(message, stdout, remote));
      });
    });
}

/**
 * kubectl's stderr after a failed exec: what the command wrote, then kubectl's own report - the
 * API's Status message as "error: ..." or "Error from server ...: ..." (possibly several lines: the
 * exec server quotes the whole command, scripts included), or "command terminated with exit code N".
 */
export function splitStderr(stderr: string, code: number | null, signal: NodeJS.Signals | null): { message: string; remote: string } {
  const lines = stderr.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i];
    const m = /^error: (.*)$/.exec(l) ?? /^Error from server(?: \([A-Za-z]+\))?: (.*)$/.exec(l) ?? /^(command terminated with exit code \d+)$/.exec(l.trim());
    if (m) {
      const message = [m[1], ...lines.slice(i + 1)].join('\n').replace(/\n+$/, '');
      return { message, remote: i > 0 ? lines.slice(0, i).join('\n') + '\n' : '' };
    }
  }
  return { message: signal ? `exec: signal: ${signal}` : `command terminated with exit code ${code}`, remote: stderr };
}

export function defaultKubectl(): string {
  const dir = process.env.KUBE_BIN_DIR;
  return dir ? path.join(dir, 'kubectl') : 'kubectl';
}
