// An informer: client-node's ListWatch (list, then watch from the list's resourceVersion, 410 Gone
// means list again) over StreamWatch (which adds the watchdog), kept alive. ListWatch gives up on
// any other error (a refused connection, a 500, a 403): it reports it and stops for good, which is
// the other way client-node's informers go silent. Here every such error is logged and the
// informer starts again after a backoff (1 s doubling to 30 s), from the last resourceVersion.
import { ListWatch, type KubernetesObject } from '@kubernetes/client-node';
import { backoffDelay } from '../core/backoff.js';
import type { KubeClient } from './client.js';
import { resourcePath, type Resource } from './resources.js';
import { StreamWatch } from './watch.js';

export interface InformerOptions {
  fieldSelector?: string;
  labelSelector?: string;
  /** Namespace to watch; all namespaces when absent. */
  namespace?: string;
  /** The watchdog's limit (watch.ts). */
  quietMs?: number;
  log?: (event: string, fields: Record<string, unknown>) => void;
  /** Backoff bounds after an error, in ms (tests shorten them). */
  backoffMs?: { base: number; max: number };
}

/** Objects as lvs-operator types them (timestamps as strings, unlike client-node's own types). */
export interface ApiObject {
  kind?: string;
  metadata: { name?: string; namespace?: string };
}

export class Informer<T extends ApiObject> {
  private readonly listWatch: ListWatch<KubernetesObject>;
  private readonly watch: StreamWatch;
  private readonly listeners: ((object: T | undefined) => void)[] = [];
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Failures since the last list or event that worked. */
  private failures = 0;
  private listedOnce!: () => void;
  /** Resolves after the first successful list has filled the cache. */
  readonly synced = new Promise<void>((resolve) => (this.listedOnce = resolve));
  /** How many lists succeeded; a re-list after a quiet or expired watch counts too. */
  lists = 0;

  constructor(
    client: KubeClient,
    readonly resource: Resource,
    private readonly options: InformerOptions = {},
  ) {
    const path = resourcePath(resource, { namespace: options.namespace });
    const list = async () => {
      const result = await client.request<{ items: T[]; metadata: { resourceVersion?: string } }>({
        method: 'GET',
        path,
        query: { fieldSelector: options.fieldSelector, labelSelector: options.labelSelector },
      });
      // Items of a list carry no kind; the planner's validation wants it.
      for (const item of result.items) Object.assign(item, { apiVersion: resource.apiVersion, kind: resource.kind });
      this.lists += 1;
      this.failures = 0;
      // ListWatch fills its cache right after this promise resolves; tell listeners after that.
      setImmediate(() => {
        this.listedOnce();
        this.notify(undefined);
      });
      return result;
    };
    const watch = (this.watch = new StreamWatch(client, {
      quietMs: options.quietMs,
      onQuiet: (p) => options.log?.('watch quiet, listing again', { path: p }),
    }));
    this.listWatch = new ListWatch<KubernetesObject>(
      path,
      watch,
      list as unknown as () => Promise<{ items: KubernetesObject[] }>,
      false,
      options.labelSelector,
      options.fieldSelector,
    );
    for (const verb of ['add', 'update', 'delete'] as const)
      this.listWatch.on(verb, (o) => {
        // A watch that delivers is a working one: the next failure starts the backoff afresh.
        this.failures = 0;
        this.notify(o as unknown as T);
      });
    this.listWatch.on('error', (err: unknown) => this.restart(err));
  }

  /** Called on every add, update and delete (with the object), and after every list (with undefined). */
  onChange(listener: (object: T | undefined) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.stopped = false;
    this.watch.open();
    void this.listWatch.start().catch((err: unknown) => this.restart(err));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.watch.close();
    await this.listWatch.stop();
  }

  list(): readonly T[] {
    return this.listWatch.list() as unknown as T[];
  }

  get(name: string, namespace?: string): T | undefined {
    return this.listWatch.get(name, namespace) as unknown as T | undefined;
  }

  private notify(object: T | undefined): void {
    for (const listener of this.listeners) listener(object);
  }

  private restart(err: unknown): void {
    if (this.stopped) return;
    this.failures += 1;
    const delayMs = backoffDelay(this.failures, this.options.backoffMs ?? { base: 1000, max: 30_000 });
    this.options.log?.('watch failed, starting again', {
      resource: this.resource.plural,
      error: String((err as Error)?.message ?? err),
      retryInMs: delayMs,
    });
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (!this.stopped) void this.listWatch.start().catch((e: unknown) => this.restart(e));
    }, delayMs);
  }
}
