// The operator pod's container log, as a kubelet's container runtime keeps it: one line per
// output line in the CRI format ("<RFC 3339 nano time> stdout|stderr F <line>"). kwok serves it
// for `kubectl logs` / pods/log through its ClusterLogs (scripts/sandbox/pods/up.sh), with the
// kubelet's own reader (k8s.io/cri-client/pkg/logs), which refuses plain text: so tailLines,
// sinceSeconds (by these times), limitBytes and timestamps behave as on a real node.
import fs from 'node:fs';

export const CONTAINER_LOG = 'operator.container.log';

/** RFC 3339 with nanoseconds, as the runtime writes it (JS has milliseconds: the rest is zeros). */
const nanoTime = () => new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');

export class ContainerLog {
  private readonly out: fs.WriteStream;
  private readonly partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };

  constructor(file: string) {
    this.out = fs.createWriteStream(file, { flags: 'a' });
  }

  write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const text = this.partial[stream] + chunk.toString('utf8');
    const lines = text.split('\n');
    this.partial[stream] = lines.pop() ?? '';
    const t = nanoTime();
    for (const line of lines) this.out.write(`${t} ${stream} F ${line}\n`);
  }

  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) this.out.write(`${nanoTime()} ${stream} F ${this.partial[stream]}\n`);
      this.partial[stream] = '';
    }
    this.out.end();
  }
}
