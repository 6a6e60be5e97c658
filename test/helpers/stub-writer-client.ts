// Tests only: an ApiClient that records requests and answers from a script, for the writer's tests.
import type { ApiClient, ListResult, RequestOptions, WatchEvent } from '../../lib/kube/api.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Answer = (req: RequestOptions) => any;

export class ScriptedClient implements ApiClient {
  readonly context = 'test';
  readonly server = 'https://127.0.0.1:1';
  readonly defaultNamespace = 'default';
  readonly requests: RequestOptions[] = [];
  constructor(private readonly answers: Answer[]) {}
  get requestCount(): number {
    return this.requests.length;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async request<T = any>(opts: RequestOptions): Promise<T> {
    this.requests.push(structuredClone(opts));
    const a = this.answers.shift();
    if (!a) throw new Error(`unexpected request ${opts.method} ${opts.path}`);
    return a(opts) as T;
  }
  async list(): Promise<ListResult> {
    throw new Error('list not scripted');
  }
  async watch(_p: string, _q: Record<string, string | undefined>, _on: (e: WatchEvent) => void, _s: AbortSignal): Promise<void> {
    throw new Error('watch not scripted');
  }
}
