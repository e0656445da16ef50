// An informer: list, then watch from the list's resourceVersion, keeping a cache of the objects;
// a 410 Gone (an ERROR event, an HTTP answer, or the watchdog of a silent watch) means list again
// from scratch, and objects missing from the new list are reported deleted. Any other error (a
// refused connection, a 500, a 403) is logged and the informer starts again after a backoff (1 s
// doubling to 30 s), from the last resourceVersion: it never goes silent for good.
//
// Its own rather than client-node's ListWatch: client-node gave up for good on any error but a
// 410, and loading it costs the in-cluster processes about 40 MiB (credentials.ts).
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

interface Versioned {
  metadata: { name?: string; namespace?: string; resourceVersion?: string };
}

const keyOf = (name: string | undefined, namespace: string | undefined) => `${namespace ?? ''}/${name ?? ''}`;
const versionOf = (object: unknown) => (object as Versioned).metadata?.resourceVersion ?? '';
const isGone = (err: unknown) => (err as { statusCode?: number } | null)?.statusCode === 410;

export class Informer<T extends ApiObject> {
  private readonly path: string;
  private readonly watch: StreamWatch;
  private readonly listeners: ((object: T | undefined) => void)[] = [];
  private objects = new Map<string, T>();
  /** Where the next watch starts; empty: list first. */
  private resourceVersion = '';
  /** Counts runs (a list and a watch); a stop or a new run makes the callbacks of older ones inert. */
  private run = 0;
  private stopped = true;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Failures since the last list or event that worked. */
  private failures = 0;
  private listedOnce!: () => void;
  /** Resolves after the first successful list has filled the cache. */
  readonly synced = new Promise<void>((resolve) => (this.listedOnce = resolve));
  /** How many lists succeeded; a re-list after a quiet or expired watch counts too. */
  lists = 0;

  constructor(
    private readonly client: KubeClient,
    readonly resource: Resource,
    private readonly options: InformerOptions = {},
  ) {
    this.path = resourcePath(resource, { namespace: options.namespace });
    this.watch = new StreamWatch(client, {
      quietMs: options.quietMs,
      onQuiet: (p) => options.log?.('watch quiet, listing again', { path: p }),
    });
  }

  /** Called on every add, update and delete (with the object), and after every list (with undefined). */
  onChange(listener: (object: T | undefined) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.stopped = false;
    this.watch.open();
    void this.listAndWatch();
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.run += 1;
    clearTimeout(this.restartTimer);
    this.watch.close();
    return Promise.resolve();
  }

  list(): readonly T[] {
    return [...this.objects.values()];
  }

  get(name: string, namespace?: string): T | undefined {
    return this.objects.get(keyOf(name, namespace));
  }

  private get selectors() {
    return { fieldSelector: this.options.fieldSelector, labelSelector: this.options.labelSelector };
  }

  private async listAndWatch(): Promise<void> {
    const run = ++this.run;
    clearTimeout(this.restartTimer);
    try {
      if (!this.resourceVersion) await this.relist(run);
      if (run !== this.run) return;
      let delivered = false;
      await this.watch.watch(
        this.path,
        { ...this.selectors, resourceVersion: this.resourceVersion },
        (type, object) => {
          if (run !== this.run) return;
          delivered ||= type !== 'ERROR';
          this.event(type, object);
        },
        (err) => {
          if (run === this.run) this.watchEnded(err, delivered);
        },
      );
    } catch (err) {
      if (run === this.run) this.restart(err);
    }
  }

  private async relist(run: number): Promise<void> {
    const result = await this.client.request<{ items: T[]; metadata: { resourceVersion?: string } }>({
      method: 'GET',
      path: this.path,
      query: this.selectors,
    });
    if (run !== this.run) return;
    this.lists += 1;
    this.failures = 0;
    const before = this.objects;
    this.objects = new Map();
    const changed: T[] = [];
    for (const item of result.items) {
      // Items of a list carry no kind; the planner's validation wants it.
      Object.assign(item, { apiVersion: this.resource.apiVersion, kind: this.resource.kind });
      const key = keyOf(item.metadata.name, item.metadata.namespace);
      const old = before.get(key);
      before.delete(key);
      this.objects.set(key, item);
      if (!old || versionOf(old) !== versionOf(item)) changed.push(item);
    }
    // What the new list lacks was deleted while nobody watched.
    for (const gone of before.values()) this.notify(gone);
    for (const item of changed) this.notify(item);
    this.resourceVersion = result.metadata.resourceVersion ?? '';
    // After the watch has been asked for: listeners that react to a list see the watch on its way.
    setImmediate(() => {
      this.listedOnce();
      if (!this.stopped) this.notify(undefined);
    });
  }

  private event(type: string, object: unknown): void {
    if (type === 'ERROR') {
      // The server ends the watch after it; a 410 means the next run lists again.
      if ((object as { code?: number }).code === 410) this.resourceVersion = '';
      return;
    }
    // A watch that delivers is a working one: the next failure starts the backoff afresh.
    this.failures = 0;
    this.resourceVersion = versionOf(object) || this.resourceVersion;
    if (type === 'BOOKMARK') return;
    const item = object as T;
    const key = keyOf(item.metadata.name, item.metadata.namespace);
    if (type === 'DELETED') {
      if (this.objects.delete(key)) this.notify(item);
      return;
    }
    const old = this.objects.get(key);
    this.objects.set(key, item);
    if (!old || versionOf(old) !== versionOf(item)) this.notify(item);
  }

  /**
   * A watch ended. Expired (410): list again now. Another error: start again after the backoff.
   * Closed by the server (its timeoutSeconds): watch again now, unless it delivered nothing (a
   * server or proxy that closes every watch at once), which waits the backoff as a failure does.
   */
  private watchEnded(err: unknown, delivered: boolean): void {
    if (this.stopped) return;
    if (isGone(err)) {
      this.resourceVersion = '';
      void this.listAndWatch();
    } else if (err) this.restart(err);
    else if (delivered || !this.resourceVersion) void this.listAndWatch();
    else this.schedule((this.failures += 1));
  }

  private restart(err: unknown): void {
    if (this.stopped) return;
    this.failures += 1;
    const delayMs = this.schedule(this.failures);
    this.options.log?.('watch failed, starting again', {
      resource: this.resource.plural,
      error: String((err as Error)?.message ?? err),
      retryInMs: delayMs,
    });
  }

  private schedule(failures: number): number {
    const delayMs = backoffDelay(failures, this.options.backoffMs ?? { base: 1000, max: 30_000 });
    clearTimeout(this.restartTimer);
    const run = ++this.run;
    this.restartTimer = setTimeout(() => {
      if (!this.stopped && run === this.run) void this.listAndWatch();
    }, delayMs);
    return delayMs;
  }

  private notify(object: T | undefined): void {
    for (const listener of this.listeners) listener(object);
  }
}
