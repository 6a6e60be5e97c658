// The operator's log as the snapshot keeps it: where each piece was read from, how it was bounded,
// and its digest (lib/operator-log/digest.ts). The raw text is not kept.
import type { KObject } from '../model/types.ts';
import { digestOperatorLog, type LogDigest } from './digest.ts';

/** How much of the log one pods/log GET asks for. */
export interface LogWindow {
  sinceSeconds: number;
  /** The newest lines to keep (the kubelet seeks back this many lines, then reads forward). */
  tailLines: number;
  /** Safety cap; the kubelet stops after this many bytes, so it keeps the OLDEST bytes. */
  limitBytes: number;
}

export const DEFAULT_LOG_SECONDS = 15 * 60;
export const DEFAULT_LOG_BYTES = 4 * 1024 * 1024;
/** Bytes a line of PGO's may take before tailLines alone could overrun limitBytes (the longest in
 *  the recorded real log is 1.4 KB, the mean 450 B): 4 MiB -> the newest 4,096 lines. */
const BYTES_PER_LINE = 1024;

export function logWindow(sinceSeconds = DEFAULT_LOG_SECONDS, limitBytes = DEFAULT_LOG_BYTES): LogWindow {
  return { sinceSeconds, tailLines: Math.max(1, Math.floor(limitBytes / BYTES_PER_LINE)), limitBytes };
}

export interface OperatorLogSource {
  /** The operator pod and container read, or null for a file (--from). */
  pod: { namespace: string; name: string; container: string } | null;
  file: string | null;
  /** What the pods/log GET asked for; null for a file. */
  window: LogWindow | null;
  bytes: number;
  /** The read stopped at limitBytes: lines newer than digest.lastTime may be missing. */
  truncated: boolean;
  digest: LogDigest;
}

export interface OperatorLog {
  /** One per operator pod read (or per log file of a dump). Empty: no operator pod to read. */
  sources: OperatorLogSource[];
}

/** readAt: when the text was read from the API (a file: unknown). */
export function sourceFromText(text: string, where: Pick<OperatorLogSource, 'pod' | 'file' | 'window'>, readAt?: number): OperatorLogSource {
  const bytes = Buffer.byteLength(text);
  const truncated = where.window !== null && bytes >= where.window.limitBytes;
  return { ...where, bytes, truncated, digest: digestOperatorLog(text, { cut: truncated, readAt }) };
}

/** The container of an operator pod that runs PGO: "operator" in PGO's manager.yaml; otherwise the
 *  one whose image is PGO's, else the only one, else the first that is not a known sidecar. */
export function operatorContainer(pod: KObject): string | undefined {
  const containers: Array<{ name?: string; image?: string }> = pod.spec?.containers ?? [];
  const named = containers.filter((c): c is { name: string; image?: string } => typeof c.name === 'string');
  if (named.length === 0) return undefined;
  return (
    named.find((c) => c.name === 'operator')?.name ??
    named.find((c) => /postgres-operator|\/pgo[:@]/.test(c.image ?? ''))?.name ??
    (named.length === 1 ? named[0].name : undefined) ??
    named.find((c) => !/istio|linkerd|envoy|proxy|sidecar|vault|fluent/.test(c.name))?.name ??
    named[0].name
  );
}
