// A watch stream over KubeClient, with a watchdog: a watch that has said nothing (no event, no
// bookmark) for `quietMs` is taken for a connection cut without a FIN (a NAT timeout, an apiserver
// behind a dead load balancer) and ended with WatchExpired (410), which makes the informer list
// again from scratch, so whatever was missed, deletions included, comes back.
//
// It asks for bookmarks and a server-side timeoutSeconds, so a quiet resource is not cut and
// reopened for nothing; close() ends every watch, those whose request is still on its way
// included; an abort from outside ends a watch without a report. Lists and watches go through the
// one KubeClient (node:https, its credentials, ApiError with the apiserver's Status message).
// client-node's Watch and ListWatch did this before (with a subclass to add the watchdog); they
// are not used because loading client-node costs the in-cluster processes about 40 MiB
// (credentials.ts).
import { createInterface } from 'node:readline';
import type { KubeClient } from './client.js';

/** What the informer takes as "resource version too old": list again. */
export class WatchExpired extends Error {
  readonly statusCode = 410;
  constructor(message: string) {
    super(message);
    this.name = 'WatchExpired';
  }
}

/** Bookmarks come about once a minute on a quiet resource; a watch silent much longer is dead. */
export const DEFAULT_QUIET_MS = 150_000;

export interface WatchOptions {
  quietMs?: number;
  /** Called when the watchdog fires, for the log. */
  onQuiet?: (path: string) => void;
}

export class StreamWatch {
  /** The watches open or opening, each by the function that ends it without a report. */
  private readonly live = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly client: KubeClient,
    private readonly options: WatchOptions = {},
  ) {}

  /**
   * Ends every watch, those whose request is still on its way included, and opens no new one
   * until open(): a list in progress when the informer stops must not open a watch after it.
   */
  close(): void {
    this.closed = true;
    for (const end of [...this.live]) end();
  }

  open(): void {
    this.closed = false;
  }

  async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const controller = new AbortController();
    if (this.closed) {
      controller.abort();
      return controller;
    }
    const quietMs = this.options.quietMs ?? DEFAULT_QUIET_MS;
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (err: unknown) => {
      clearTimeout(timer);
      this.live.delete(end);
      if (finished) return;
      finished = true;
      controller.abort();
      done(err);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.options.onQuiet?.(path);
        finish(new WatchExpired(`watch ${path} was quiet for ${quietMs / 1000} s`));
      }, quietMs);
      timer.unref();
    };
    // An abort from outside (the informer stopping or moving on) ends the watch without a report.
    const outside = () => {
      clearTimeout(timer);
      finished = true;
      this.live.delete(end);
    };
    const end = () => {
      outside();
      controller.abort();
    };
    this.live.add(end);
    const query = {
      ...queryParams,
      watch: true,
      allowWatchBookmarks: true,
      // The server ends a watch after this; a fresh one then starts from the last resourceVersion.
      timeoutSeconds: 300 + Math.floor(Math.random() * 300),
    };
    arm();
    try {
      const response = await this.client.stream({ method: 'GET', path, query }, controller.signal);
      controller.signal.addEventListener('abort', () => response.destroy(), { once: true });
      const lines = createInterface({ input: response });
      lines.on('line', (line) => {
        if (finished) return;
        arm();
        let event: { type: string; object: unknown };
        try {
          event = JSON.parse(line) as typeof event;
        } catch {
          return finish(new Error(`watch ${path}: a line that is not JSON: ${line.slice(0, 200)}`));
        }
        callback(event.type, event.object, event);
      });
      // A reset reaches both the response and the line reader; either ends the watch, once.
      lines.on('error', (err) => finish(err));
      response.on('error', (err) => finish(err));
      response.on('end', () => finish(null));
      response.on('close', () => finish(null));
    } catch (err) {
      if (controller.signal.aborted && !finished) outside();
      else finish(err);
    }
    const abort = controller.abort.bind(controller);
    controller.abort = (reason?: unknown) => {
      outside();
      abort(reason);
    };
    return controller;
  }
}
