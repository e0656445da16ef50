// The controller: informers fill a cache, every change puts the affected keys in a work queue,
// and each key's reconcile compares what the plan wants with what the cache holds and writes only
// the difference. Level-triggered and safe to run twice: a pass that finds everything in place
// writes nothing (that is what a restarted controller does). Keys:
//   LVSNode/NAME            the node's spec (server-side apply), or its removal
//   VirtualService/NS/NAME  finalizer, status, events
//   RealServer/NS/NAME      status, events
// The plan is global (VRIDs are unique per segment, a real server's node serves many services),
// so it is computed once per change of the cache and shared by every key.
import { performance } from 'node:perf_hooks';
import {
  objectRef,
  type KubeNode,
  type LVSNode,
  type ManifestObject,
  type RealServer,
  type Secret,
  type VirtualService,
} from '../core/api/objects.js';
import { isNotFound, PATCH_APPLY, PATCH_JSON, PATCH_MERGE, type KubeClient } from '../kube/client.js';
import { Informer } from '../kube/informer.js';
import {
  EVENTS,
  LVS_NODES,
  NODES,
  REAL_SERVERS,
  VIRTUAL_SERVICES,
  resourcePath,
  type Resource,
} from '../kube/resources.js';
import type { Log } from '../io/log.js';
import { desiredState, isEmptySpec, type Desired } from './desired.js';
import { realServerEvents, virtualServiceEvents, type EventSpec } from './events.js';
import { WorkQueue } from './queue.js';
import { stableJson } from '../core/api/stable-json.js';
import { ValidationMemo } from '../core/api/validate/index.js';
import { nodeViews, realServerStatus, virtualServiceStatus, type NodeView } from './status.js';
import { FINALIZER, isDeleting, type World } from './world.js';
import { nodesHolding } from './finalizer.js';
import { coalesced, readReferencedSecrets } from './secrets.js';

export const FIELD_MANAGER = 'lvs-operator-controller';

export interface ControllerOptions {
  client: KubeClient;
  log: Log;
  /** How often every key is reconciled anyway, and referenced Secrets are read again (default 30 s). */
  resyncMs?: number;
  /** The watchdog's limit for a quiet watch (kube/watch.ts). */
  quietMs?: number;
  now?: () => Date;
  /** Called after every key's reconcile (metrics): its kind (LVSNode, VirtualService, RealServer, Node), duration, outcome. */
  onReconcile?: (reconcile: { kind: string; seconds: number; failed: boolean }) => void;
}

interface Computed {
  version: number;
  desired: Desired;
  views: NodeView[];
}

export class Controller {
  private readonly informers: {
    virtualServices: Informer<VirtualService & { kind: string }>;
    realServers: Informer<RealServer & { kind: string }>;
    lvsNodes: Informer<LVSNode & { kind: string }>;
    nodes: Informer<KubeNode & { kind: string }>;
  };
  /** Secrets the VirtualServices reference, read by name: the controller may get them, not list or watch every Secret. */
  private secrets = new Map<string, Secret>();
  private readonly queue: WorkQueue;
  private version = 0;
  private computed: Computed | undefined;
  private lastGood = new Map<string, ManifestObject>();
  /** Each version of an object is checked once (validate/index.ts ValidationMemo). */
  private readonly validated = new ValidationMemo();
  /** The problem last reported on each Node, so that an Event is recorded once per message. */
  private readonly nodeProblems = new Map<string, string>();
  /** What each VirtualService and RealServer last gave the plan (changesInput). */
  private readonly inputs = new Map<string, string>();
  private resync: NodeJS.Timeout | undefined;
  /** Nothing is planned before every informer has listed and the Secrets are read: a plan made
   * from a partial cache (LVSNodes but no Nodes yet) would delete what it cannot see. */
  private started = false;
  /** Reads the Secrets again, then reconciles everything; calls made meanwhile make one more read. */
  private readonly refreshSecretsSoon = coalesced(
    () => this.refreshSecrets(),
    () => this.enqueueAll(),
  );
  /** Writes made, by kind of write: tests and metrics read them. */
  readonly writes = { lvsNodeApply: 0, lvsNodeDelete: 0, status: 0, finalizer: 0, event: 0 };

  constructor(private readonly o: ControllerOptions) {
    const make = <T extends ManifestObject>(resource: Resource) =>
      new Informer<T & { kind: string }>(o.client, resource, {
        quietMs: o.quietMs,
        log: (event, fields) => o.log(event, fields),
      });
    this.informers = {
      virtualServices: make<VirtualService>(VIRTUAL_SERVICES),
      realServers: make<RealServer>(REAL_SERVERS),
      lvsNodes: make<LVSNode>(LVS_NODES),
      nodes: make<KubeNode>(NODES),
    };
    this.queue = new WorkQueue({
      handle: (key) => this.timedReconcile(key),
      baseDelayMs: 100,
      maxDelayMs: 60_000,
      onError: (key, error, retryInMs) =>
        o.log('reconcile failed', { key, error: String((error as Error).message ?? error), retryInMs }),
    });
    for (const informer of Object.values(this.informers)) {
      informer.onChange((object) => {
        if (!this.changesInput((name, ns) => informer.get(name, ns), object)) return;
        this.version += 1;
        if (this.started) this.enqueueAll();
      });
    }
    // A VirtualService may name a Secret not read yet: read the referenced Secrets again at once.
    this.informers.virtualServices.onChange(() => {
      if (this.started) void this.refreshSecretsSoon();
    });
  }

  /** Starts the informers, waits for their first lists, reads the Secrets, and reconciles everything. */
  async start(): Promise<void> {
    const informers = Object.values(this.informers);
    informers.forEach((i) => i.start());
    await Promise.all(informers.map((i) => i.synced));
    await this.refreshSecrets();
    this.o.log('caches synced', { virtualServices: this.informers.virtualServices.list().length });
    this.started = true;
    this.enqueueAll();
    this.resync = setInterval(() => void this.refreshSecretsSoon(), this.o.resyncMs ?? 30_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.resync);
    this.queue.stop();
    await Promise.all(Object.values(this.informers).map((i) => i.stop()));
  }

  private world(): World {
    return {
      virtualServices: this.informers.virtualServices.list(),
      realServers: this.informers.realServers.list(),
      nodes: this.informers.nodes.list(),
      lvsNodes: this.informers.lvsNodes.list(),
      secrets: [...this.secrets.values()],
    };
  }

  /**
   * Whether an event changes anything the plan or a status is made from. The controller's own
   * status writes on VirtualServices and RealServers come back as events; they change nothing
   * (but a VirtualService's VRID, which the plan reads), and replanning the world for each of them
   * would cost a full plan per object written.
   */
  private changesInput(
    get: (name: string, namespace?: string) => ManifestObject | undefined,
    object: ManifestObject | undefined,
  ): boolean {
    if (!object || (object.kind !== 'VirtualService' && object.kind !== 'RealServer')) return true;
    const key = `${object.kind}/${objectRef(object)}`;
    const current = get(object.metadata.name ?? '', object.metadata.namespace);
    const input = current && {
      spec: 'spec' in current ? current.spec : undefined,
      metadata: { ...current.metadata, resourceVersion: undefined, managedFields: undefined },
      vrid: current.kind === 'VirtualService' ? current.status?.virtualRouterID : undefined,
    };
    const fingerprint = input ? stableJson(input) : 'gone';
    if (this.inputs.get(key) === fingerprint) return false;
    if (input) this.inputs.set(key, fingerprint);
    else this.inputs.delete(key);
    return true;
  }

  private compute(): Computed {
    if (this.computed?.version === this.version) return this.computed;
    const world = this.world();
    const desired = desiredState(world, this.lastGood, this.validated);
    this.lastGood = desired.lastGood;
    this.computed = { version: this.version, desired, views: nodeViews(desired, world.lvsNodes) };
    return this.computed;
  }

  private enqueueAll(): void {
    const { desired } = this.compute();
    for (const name of [...desired.specs.keys(), ...desired.retire.keys()]) this.queue.add(`LVSNode/${name}`);
    for (const vs of this.informers.virtualServices.list()) this.queue.add(`VirtualService/${objectRef(vs)}`);
    for (const rs of this.informers.realServers.list()) this.queue.add(`RealServer/${objectRef(rs)}`);
    for (const node of this.informers.nodes.list()) this.queue.add(`Node/${node.metadata.name}`);
  }

  private async timedReconcile(key: string): Promise<void> {
    const started = performance.now();
    const done = (failed: boolean) =>
      this.o.onReconcile?.({ kind: key.split('/')[0]!, seconds: (performance.now() - started) / 1000, failed });
    try {
      await this.reconcile(key);
    } catch (error) {
      done(true);
      throw error;
    }
    done(false);
  }

  private async reconcile(key: string): Promise<void> {
    const [kind, ...rest] = key.split('/');
    const ref = { namespace: rest.length === 2 ? rest[0] : undefined, name: rest.at(-1)! };
    if (kind === 'LVSNode') return this.reconcileLvsNode(ref.name);
    if (kind === 'VirtualService') return this.reconcileVirtualService(ref.namespace!, ref.name);
    if (kind === 'RealServer') return this.reconcileRealServer(ref.namespace!, ref.name);
    if (kind === 'Node') return this.reconcileNode(ref.name);
  }

  /**
   * A Node the planner cannot use (no InternalIP, one that is not an IP) has no status of ours to
   * carry a condition: the problem goes into a Warning Event on the Node, once per message.
   */
  private async reconcileNode(name: string): Promise<void> {
    const node = this.informers.nodes.get(name);
    if (!node) {
      this.nodeProblems.delete(name);
      return;
    }
    const { desired } = this.compute();
    const message = desired.problems.get(`Node ${name}`)?.errors.join('; ') ?? '';
    if (message === (this.nodeProblems.get(name) ?? '')) return;
    this.nodeProblems.set(name, message);
    if (message) await this.event(NODES, node, { type: 'Warning', reason: 'InvalidSpec', message });
  }

  private async reconcileLvsNode(name: string): Promise<void> {
    const { desired } = this.compute();
    const current = this.informers.lvsNodes.get(name);
    const retire = desired.retire.get(name);
    if (retire === 'delete') {
      if (!current) return;
      this.writes.lvsNodeDelete += 1;
      this.o.log('deleting LVSNode', { node: name });
      await this.o.client.request({ method: 'DELETE', path: resourcePath(LVS_NODES, { name }) }).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
      return;
    }
    if (retire === 'empty') {
      if (!current || isEmptySpec(current.spec)) return;
      this.writes.lvsNodeApply += 1;
      this.o.log('emptying LVSNode', { node: name });
      // A merge patch that nulls every key leaves `spec: {}`; server-side apply of an empty spec
      // would leave a null one, which the schema refuses.
      await this.o.client.request({
        method: 'PATCH',
        path: resourcePath(LVS_NODES, { name }),
        contentType: PATCH_MERGE,
        body: { spec: Object.fromEntries(Object.keys(current.spec ?? {}).map((k) => [k, null])) },
      });
      return;
    }
    const spec = desired.specs.get(name);
    if (spec === undefined) return;
    if (current && stableJson(current.spec ?? {}) === stableJson(spec)) return;
    this.writes.lvsNodeApply += 1;
    this.o.log('applying LVSNode', { node: name, services: spec.ipvs?.services?.length ?? 0 });
    await this.apply(LVS_NODES, { name }, { spec });
  }

  private async reconcileVirtualService(namespace: string, name: string): Promise<void> {
    const vs = this.informers.virtualServices.get(name, namespace);
    if (!vs) return;
    const { desired, views } = this.compute();
    const ref = { namespace, name };
    const finalizers = vs.metadata.finalizers ?? [];
    if (isDeleting(vs)) {
      const index = finalizers.indexOf(FINALIZER);
      if (index < 0) return;
      const holding = nodesHolding(vs, this.informers.lvsNodes.list());
      if (holding.length) {
        this.o.log('waiting for nodes to clean up', { virtualService: objectRef(vs), nodes: holding });
        return;
      }
      this.writes.finalizer += 1;
      this.o.log('removing finalizer', { virtualService: objectRef(vs) });
      await this.o.client
        .request({
          method: 'PATCH',
          path: resourcePath(VIRTUAL_SERVICES, ref),
          contentType: PATCH_JSON,
          // The test makes the removal fail (422) if the list changed since it was read.
          body: [
            { op: 'test', path: `/metadata/finalizers/${index}`, value: FINALIZER },
            { op: 'remove', path: `/metadata/finalizers/${index}` },
          ],
        })
        .catch((error: unknown) => {
          // Gone already: a second pass raced the informer's news of the first one's success.
          if (!isNotFound(error)) throw error;
        });
      return;
    }
    if (!finalizers.includes(FINALIZER)) {
      this.writes.finalizer += 1;
      // metadata.finalizers is a set for server-side apply: this adds ours and keeps the others.
      await this.apply(VIRTUAL_SERVICES, ref, { metadata: { finalizers: [FINALIZER] } });
    }
    const status = virtualServiceStatus(vs, desired, views, this.now());
    await this.writeStatus(VIRTUAL_SERVICES, vs, status, virtualServiceEvents(vs.status, status));
  }

  private async reconcileRealServer(namespace: string, name: string): Promise<void> {
    const rs = this.informers.realServers.get(name, namespace);
    if (!rs) return;
    const { desired, views } = this.compute();
    const status = realServerStatus(rs, desired, views, this.now());
    await this.writeStatus(REAL_SERVERS, rs, status, realServerEvents(rs.status, status));
  }

  private async writeStatus(
    resource: Resource,
    object: VirtualService | RealServer,
    status: object,
    events: EventSpec[],
  ): Promise<void> {
    if (stableJson(object.status ?? {}) === stableJson(status)) return;
    this.writes.status += 1;
    this.o.log('writing status', { object: `${resource.kind} ${objectRef(object)}` });
    await this.apply(
      resource,
      { namespace: object.metadata.namespace, name: object.metadata.name! },
      { status },
      'status',
    );
    for (const event of events) await this.event(resource, object, event);
  }

  /** Server-side apply with the controller's field manager; force, since these fields are the controller's alone. */
  private async apply(
    resource: Resource,
    ref: { namespace?: string; name: string },
    body: Record<string, unknown>,
    subresource?: string,
  ): Promise<void> {
    const metadata = { ...(body.metadata as object | undefined), name: ref.name, namespace: ref.namespace };
    await this.o.client.request({
      method: 'PATCH',
      path: resourcePath(resource, ref, subresource),
      query: { fieldManager: FIELD_MANAGER, force: true },
      contentType: PATCH_APPLY,
      body: { apiVersion: resource.apiVersion, kind: resource.kind, ...body, metadata },
    });
  }

  private async event(
    resource: Resource,
    object: VirtualService | RealServer | KubeNode,
    event: EventSpec,
  ): Promise<void> {
    this.writes.event += 1;
    // Events about cluster-scoped objects (Nodes) live in default, as the kubelet's do.
    const namespace = object.metadata.namespace ?? 'default';
    const now = this.now();
    await this.o.client
      .request({
        method: 'POST',
        path: resourcePath(EVENTS, { namespace }),
        body: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { generateName: `${object.metadata.name}.`, namespace },
          involvedObject: {
            apiVersion: resource.apiVersion,
            kind: resource.kind,
            namespace: object.metadata.namespace,
            name: object.metadata.name,
            uid: object.metadata.uid,
          },
          type: event.type,
          reason: event.reason,
          message: event.message,
          source: { component: FIELD_MANAGER },
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      })
      .catch((error: unknown) => this.o.log('event not recorded', { reason: event.reason, error: String(error) }));
    this.o.log('event', { object: `${resource.kind} ${objectRef(object)}`, ...event });
  }

  /** Reads the Secrets the VirtualServices reference; a change makes a new plan. */
  private async refreshSecrets(): Promise<void> {
    const virtualServices = this.informers.virtualServices.list();
    const next = await readReferencedSecrets(this.o.client, this.o.log, virtualServices, this.secrets);
    if (stableJson([...next]) !== stableJson([...this.secrets])) {
      this.secrets = next;
      this.version += 1;
    }
  }

  private now(): string {
    return (this.o.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}
