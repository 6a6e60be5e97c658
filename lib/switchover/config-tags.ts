// Patroni tags from an instance's `<instance>-config` ConfigMap (patroni.yaml), where a
// nofailover tag set in the instance config would live. Optional: without `get configmaps`
// the member status on the pod is still checked.
import { load } from 'js-yaml';
import type { ApiClient } from '../kube/api.ts';
import type { KObject } from '../model/types.ts';
import type { Tags } from './tags.ts';

export function tagsFromConfigMap(cm: KObject | undefined): Tags | undefined {
  const text = cm?.data?.['patroni.yaml'];
  if (typeof text !== 'string') return undefined;
  try {
    const doc = load(text) as { tags?: unknown } | null;
    return doc && typeof doc.tags === 'object' && doc.tags !== null ? (doc.tags as Tags) : undefined;
  } catch {
    return undefined;
  }
}

export async function readConfigTags(client: ApiClient, namespace: string, instances: string[]): Promise<{ tags: Record<string, Tags | undefined>; unreadable: string[] }> {
  const tags: Record<string, Tags | undefined> = {};
  const unreadable: string[] = [];
  await Promise.all(
    instances.map(async (name) => {
      try {
        const cm = await client.request<KObject>({ method: 'GET', path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps/${encodeURIComponent(`${name}-config`)}` });
        tags[name] = tagsFromConfigMap(cm);
      } catch (e) {
        // Absent: no tag is set there (nothing to check); anything else leaves the tags unknown.
        if ((e as { status?: number }).status !== 404) unreadable.push(`${name}-config`);
      }
    }),
  );
  return { tags, unreadable: unreadable.sort() };
}
