// PGO's own log: one bounded pods/log GET per operator pod, whatever the number of clusters.
// The kubelet (and kwok) apply tailLines first (seek back that many lines), then sinceSeconds
// (skip older lines), then limitBytes (stop after that many bytes): tailLines is what keeps the
// NEWEST lines, limitBytes only a cap (see lib/operator-log/source.ts for the sizes).
import type { ApiClient } from '../kube/api.ts';
import { ApiError, NetworkError } from '../kube/errors.ts';
import type { Gap, KObject } from '../model/types.ts';
import { operatorContainer, sourceFromText, type LogWindow, type OperatorLog, type OperatorLogSource } from '../operator-log/source.ts';

/** Pods a log can be read from: scheduled and not being deleted. */
const readable = (p: KObject) => Boolean(p.spec?.nodeName) && !p.metadata.deletionTimestamp && Boolean(p.metadata.namespace);

/** The raw text of one operator pod's log, for whoever keeps it (dump); the snapshot keeps only its digest. */
export type LogTextSink = (pod: { namespace: string; name: string; container: string }, text: string) => void;

export async function readOperatorLog(client: ApiClient, pods: KObject[], window: LogWindow, gaps: Gap[], gapFrom: (e: Error, verb: string, resource: string, ns: string) => Gap, onText?: LogTextSink): Promise<OperatorLog | undefined> {
  const targets = pods.filter(readable).flatMap((p) => {
    const container = operatorContainer(p);
    return container ? [{ namespace: p.metadata.namespace as string, name: p.metadata.name, container }] : [];
  });
  const denied = new Set<string>();
  const sources = await Promise.all(
    targets.map(async (pod): Promise<OperatorLogSource | undefined> => {
      try {
        const text = await client.request<string>({
          method: 'GET',
          path: `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/log`,
          query: { container: pod.container, sinceSeconds: window.sinceSeconds, tailLines: window.tailLines, limitBytes: window.limitBytes },
          text: true,
        });
        onText?.(pod, text ?? '');
        return sourceFromText(text ?? '', { pod, file: null, window }, Date.now());
      } catch (e) {
        if (!(e instanceof ApiError || e instanceof NetworkError)) throw e;
        // Two replicas in one namespace lack the same permission: one gap says it.
        if (e instanceof ApiError && e.status === 403) {
          if (denied.has(pod.namespace)) return undefined;
          denied.add(pod.namespace);
        }
        gaps.push(gapFrom(e, 'get', 'pods/log', pod.namespace));
        return undefined;
      }
    }),
  );
  const read = sources.filter((s): s is OperatorLogSource => s !== undefined);
  // Pods there, and none could be read: the log is unknown (the gaps say why), not empty.
  return targets.length > 0 && read.length === 0 ? undefined : { sources: read };
}
