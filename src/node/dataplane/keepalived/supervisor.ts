// The keepalived driver of the node agent: one keepalived (VRRP only) per node, kept running with
// the node's LVSNode spec, and the VRRP state of each of its instances.
//
// Decision: keepalived OUTLIVES the agent. It runs daemonized (keepalived's default: it forks and
// its parent exits), not as a child of the agent, so an agent restart (upgrade, crash, pod
// rescheduled) neither stops VRRP nor moves a VIP. A new supervisor finds the running keepalived
// through the pid file in stateDir and ADOPTS it: no restart, and no reload while the config is
// the one keepalived loaded. Only stop({ release: true }) or a spec without VRRP instances stops it,
// and it first hands each VIP it holds over while still holding it (handover.ts).
// In a pod, a daemon the agent forked still dies with the agent's container, so there the pod's
// own keepalived container starts it (startedBy 'container', container.sh) and the agent only asks
// for it, signals it and adopts it, through the state directory both mount and the pod's shared
// process namespace: the kubelet restarting a crashed agent container leaves VRRP alone.
//
// Reloads: keepalived.conf is written (temp file + rename) only when its text changes, and only
// after `keepalived --config-test` accepted it, so a SIGHUP never loads a config keepalived
// rejects. Whether keepalived runs the file's text is a second question: the sha256 of the text it
// was started or last SIGHUPed with is kept in `keepalived.loaded`, written after the signal. An
// agent that dies between writing the file and the signal thus leaves a mismatch, and the next
// agent reloads; an unchanged config is never reloaded.
//
// State: keepalived writes each transition to the notify FIFO (see notify-fifo-line.ts). A new
// agent gets the transitions it missed from the pipe, but a state that did not change while no
// agent ran is in no line: on adoption, instances whose state is still unknown get it from the
// addresses (the MASTER holds the VIPs; see links.ts). `since` is then the adoption time.
//
// Everything keepalived writes is in stateDir (config, pid files, FIFO), and with `netns` it runs
// under `ip netns exec`, so several supervisors can run on one machine, one per network namespace
// (the e2e tests run every host as a netns). The FIFO and files are reached from the host side.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { LVSNodeSpec, VrrpInstancePlan } from '../../../core/api/objects.js';
import { renderKeepalivedConf } from '../../../core/keepalived/render.js';
import type { RunCommand } from '../command.js';
import { runCommand } from '../command.js';
import { interfaceHolding, listLinkAddresses, resolveInterfaces, stateFromAddresses } from './links.js';
import type { VrrpState } from '../../../core/api/vrrp.js';
import { handoverPlan } from './handover.js';
import { parseNotifyFifoLine } from './notify-fifo-line.js';
import { NotifyFifoReader, ensureFifo } from './notify-fifo-reader.js';
import { isAlive, isKeepalivedWithConfig, readPidFile, signal, waitFor } from './process.js';

export interface InstanceState {
  state: VrrpState;
  since: Date;
}

export interface KeepalivedSupervisorOptions {
  nodeName: string;
  /** Where keepalived's config, pid files and notify FIFO live; one per supervisor. */
  stateDir: string;
  run?: RunCommand;
  keepalivedPath?: string;
  /** Network namespace (ip netns) to run keepalived and look up interfaces in. */
  netns?: string;
  /** Called on every change of an instance's state (not for the UNKNOWN a new instance starts in). */
  onStateChange?: (instance: string, current: InstanceState, previous: InstanceState | undefined) => void;
  /** How long stop waits for keepalived to exit after SIGTERM before SIGKILL (default 10 s). */
  stopTimeoutMs?: number;
  /** Default 'agent'. */
  startedBy?: KeepalivedStarter;
  /** With startedBy 'container': how long a start waits for the container's keepalived (default 20 s). */
  containerStartTimeoutMs?: number;
  /** Told how a release went: which instances handed over before the stop, and how long that took. */
  onHandover?: (result: HandoverResult) => void;
}

export interface HandoverResult {
  instances: string[];
  /** Whether every one of them yielded to a backup before the stop (false: the wait ran out, or an error). */
  yielded: boolean;
  ms: number;
  /** Why no handover was attempted after all (the config not taken, keepalived gone). */
  error?: string;
}

/** Where keepalived's files are in a state directory: the agent's and the keepalived container's view alike. */
export interface KeepalivedPaths {
  config: string;
  loaded: string;
  pid: string;
  vrrpPid: string;
  fifo: string;
  /** Present while the agent wants keepalived running: the keepalived container starts it then (container.sh). */
  want: string;
}

export function keepalivedPaths(stateDir: string): KeepalivedPaths {
  const dir = resolve(stateDir);
  return {
    config: join(dir, 'keepalived.conf'),
    loaded: join(dir, 'keepalived.loaded'),
    pid: join(dir, 'keepalived.pid'),
    vrrpPid: join(dir, 'keepalived-vrrp.pid'),
    fifo: join(dir, 'notify.fifo'),
    want: join(dir, 'keepalived.want'),
  };
}

/**
 * keepalived's arguments, whoever starts it: VRRP only, our config and pid files (the pid file and
 * the --use-file path are how an agent recognizes the keepalived it may adopt: process.ts).
 * container.sh starts it with the same ones.
 */
export function keepalivedArgs(paths: KeepalivedPaths): string[] {
  return ['--vrrp', '--log-detail', '--use-file', paths.config, '--pid', paths.pid, '--vrrp_pid', paths.vrrpPid];
}

/**
 * Who starts keepalived: the agent itself (daemonized, so it outlives the agent's process), or
 * the keepalived container of the agent's pod (container.sh), so that it
 * also outlives the agent's container: an agent that crashes and is restarted by the kubelet
 * finds it running and adopts it.
 */
export type KeepalivedStarter = 'agent' | 'container';

export type EnsureAction = 'none' | 'started' | 'reloaded' | 'adopted' | 'stopped';

export interface EnsureResult {
  action: EnsureAction;
  error?: string;
}

export class KeepalivedSupervisor {
  readonly paths: KeepalivedPaths;
  private readonly run: RunCommand;
  private readonly keepalivedPath: string;
  private readonly fifo: NotifyFifoReader;
  private readonly current = new Map<string, InstanceState>();
  /** The keepalived this supervisor started or adopted. */
  private pid: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** The last spec ensured and the interfaces found for it: a handover re-renders it. */
  private lastEnsured: { spec: LVSNodeSpec; resolved: Map<string, string> } | undefined;

  constructor(private readonly options: KeepalivedSupervisorOptions) {
    this.paths = keepalivedPaths(options.stateDir);
    this.run = options.run ?? runCommand;
    this.keepalivedPath = options.keepalivedPath ?? 'keepalived';
    this.fifo = new NotifyFifoReader(this.paths.fifo, {
      onLine: (line) => this.onFifoLine(line),
      onWriterGone: () => this.onFifoWriterGone(),
    });
  }

  /** The VRRP state of each instance of the spec last ensured (a copy). */
  states(): Map<string, InstanceState> {
    return new Map(this.current);
  }

  /** Makes keepalived run the VRRP instances of `spec`; stops it when there are none. */
  ensure(spec: LVSNodeSpec): Promise<EnsureResult> {
    return this.serialized(async () => {
      try {
        return await this.ensureNow(spec);
      } catch (err) {
        return { action: 'none', error: err instanceof Error ? err.message : String(err) };
      }
    });
  }

  /**
   * release: true hands the VIPs over (handover.ts), stops keepalived (SIGTERM: priority-0
   * adverts for whatever it still holds) and waits for it to exit; false leaves it running for
   * the next agent.
   */
  stop(options: { release: boolean }): Promise<void> {
    return this.serialized(async () => {
      if (options.release) {
        await this.handOver();
        await this.stopKeepalived();
      }
      this.fifo.close();
    });
  }

  /**
   * The interface of the instance with this VRID: the plan's, or the one holding its source
   * address, looked up in the namespace keepalived runs in (the IPVS sync daemon goes where VRRP is).
   */
  async interfaceFor(spec: LVSNodeSpec, virtualRouterID: number): Promise<string | undefined> {
    const instance = spec.vrrp?.instances?.find((i) => i.virtualRouterID === virtualRouterID);
    if (instance?.interface) return instance.interface;
    if (!instance?.sourceAddress) return undefined;
    return interfaceHolding(await listLinkAddresses(this.run, this.options.netns), instance.sourceAddress);
  }

  private async ensureNow(spec: LVSNodeSpec): Promise<EnsureResult> {
    const instances = spec.vrrp?.instances ?? [];
    if (instances.length === 0) {
      await this.handOver();
      this.lastEnsured = undefined;
      return { action: (await this.stopKeepalived()) ? 'stopped' : 'none' };
    }
    await mkdir(resolve(this.options.stateDir), { recursive: true, mode: 0o700 });
    const needLookup = instances.some((i) => !i.interface);
    const resolved = needLookup
      ? resolveInterfaces(instances, await listLinkAddresses(this.run, this.options.netns))
      : new Map<string, string>();
    const text = renderKeepalivedConf(spec, {
      nodeName: this.options.nodeName,
      notifyFifo: this.paths.fifo,
      resolvedInterfaces: resolved,
    });
    await this.writeConfigIfChanged(text);
    this.lastEnsured = { spec, resolved };
    // Tracked before the reader starts: lines of instances not tracked are dropped.
    this.track(instances);
    await ensureFifo(this.run, this.paths.fifo);
    await this.fifo.start();
    const hash = createHash('sha256').update(text).digest('hex');

    const pid = await this.runningPid();
    if (pid !== undefined) {
      const adopted = this.pid !== pid;
      this.pid = pid;
      if (adopted) await this.learnStatesFromAddresses(instances, resolved);
      const loaded = await readFile(this.paths.loaded, 'utf8').catch(() => undefined);
      if (loaded === hash) return { action: adopted ? 'adopted' : 'none' };
      // A keepalived gone between the check and the signal is started below, like one not running.
      if (signal(pid, 'SIGHUP')) {
        await writeFile(this.paths.loaded, hash);
        return { action: 'reloaded' };
      }
    }
    await this.start();
    await writeFile(this.paths.loaded, hash);
    return { action: 'started' };
  }

  private async writeConfigIfChanged(text: string): Promise<void> {
    const onDisk = await readFile(this.paths.config, 'utf8').catch(() => undefined);
    if (onDisk === text) return;
    const temp = `${this.paths.config}.new`;
    await writeFile(temp, text, { mode: 0o600 }); // it holds the VRRP passwords
    const test = await this.run(this.inNetns([this.keepalivedPath, '--config-test', '--use-file', temp]));
    if (test.code !== 0) {
      await unlink(temp);
      throw new Error(`keepalived rejects the config (exit ${test.code}): ${(test.stderr || test.stdout).trim()}`);
    }
    await rename(temp, this.paths.config);
  }

  private async runningPid(): Promise<number | undefined> {
    const pid = await readPidFile(this.paths.pid);
    return pid !== undefined && (await isKeepalivedWithConfig(pid, this.paths.config)) ? pid : undefined;
  }

  private async start(): Promise<void> {
    // Nothing runs (runningPid said so): every instance is stopped until keepalived reports.
    this.setAll('STOP');
    // keepalived checks its pid files for a running daemon, and after a crash the pid in them
    // may belong to any process by now.
    await Promise.all([rm(this.paths.pid, { force: true }), rm(this.paths.vrrpPid, { force: true })]);
    if (this.options.startedBy === 'container') {
      // The keepalived container polls for this file and starts keepalived (container.sh).
      await writeFile(this.paths.want, `${new Date().toISOString()}\n`);
    } else {
      // No --log-console: the daemon would keep our stdout pipe open and the run would never end.
      // keepalived logs to syslog; the FIFO is what the agent reads.
      const argv = [this.keepalivedPath, ...keepalivedArgs(this.paths)];
      const out = await this.run(this.inNetns(argv), { timeoutMs: 10_000 });
      if (out.code !== 0) throw new Error(`keepalived: exit ${out.code}: ${(out.stderr || out.stdout).trim()}`);
    }
    // The daemon writes its pid file after the fork, i.e. after the command above returned.
    let pid: number | undefined;
    const container = this.options.startedBy === 'container';
    const timeoutMs = container ? (this.options.containerStartTimeoutMs ?? 20_000) : 5_000;
    const up = await waitFor(async () => (pid = await this.runningPid()) !== undefined, timeoutMs, 20);
    if (!up)
      throw new Error(
        container
          ? `no keepalived started by the keepalived container within ${timeoutMs / 1000} s (${this.paths.want} is there; is the pod's keepalived container running?)`
          : `keepalived started but no live keepalived is in ${this.paths.pid}`,
      );
    this.pid = pid;
  }

  /**
   * Before a stop: reloads keepalived with its MASTER instances at the lowest priority and waits,
   * bounded, until each has yielded to a backup (handover.ts). The config on disk is then the
   * demoted one and keepalived.loaded is gone, so a keepalived that lives on (the stop failed) is
   * reloaded with the plan by the next ensure.
   */
  private async handOver(): Promise<void> {
    const last = this.lastEnsured;
    const plan = last && handoverPlan(last.spec, (name) => this.current.get(name)?.state);
    const pid = plan && (await this.runningPid());
    if (!plan || pid === undefined) return;
    const started = Date.now();
    const report = (yielded: boolean, error?: string) =>
      this.options.onHandover?.({
        instances: plan.instances,
        yielded,
        ms: Date.now() - started,
        ...(error && { error }),
      });
    // Never in the stop's way: whatever fails here, the stop goes on (priority 0, as before).
    try {
      const text = renderKeepalivedConf(plan.spec, {
        nodeName: this.options.nodeName,
        notifyFifo: this.paths.fifo,
        resolvedInterfaces: last!.resolved,
      });
      await this.writeConfigIfChanged(text);
      await rm(this.paths.loaded, { force: true });
      if (!signal(pid, 'SIGHUP')) return report(false, 'keepalived was gone before the reload');
      const yielded = await waitFor(
        async () => plan.instances.every((name) => this.current.get(name)?.state !== 'MASTER'),
        plan.timeoutMs,
        20,
      );
      report(yielded);
    } catch (error) {
      report(false, error instanceof Error ? error.message : String(error));
    }
  }

  /** SIGTERM, wait for the exit (SIGKILL after stopTimeoutMs). False when nothing ran. */
  private async stopKeepalived(): Promise<boolean> {
    // First: a keepalived container must not start it again.
    await rm(this.paths.want, { force: true });
    const pid = await this.runningPid();
    if (pid === undefined) {
      this.setAll('STOP');
      return false;
    }
    signal(pid, 'SIGTERM');
    if (!(await waitFor(async () => !(await isAlive(pid)), this.options.stopTimeoutMs ?? 10_000))) {
      const vrrpPid = await readPidFile(this.paths.vrrpPid);
      if (vrrpPid !== undefined && (await isKeepalivedWithConfig(vrrpPid, this.paths.config)))
        signal(vrrpPid, 'SIGKILL');
      signal(pid, 'SIGKILL');
      await waitFor(async () => !(await isAlive(pid)), 2_000);
    }
    this.pid = undefined;
    await rm(this.paths.loaded, { force: true });
    this.setAll('STOP');
    return true;
  }

  /** Instances of the spec: new ones start UNKNOWN, ones that left it are forgotten. */
  private track(instances: readonly VrrpInstancePlan[]): void {
    const names = new Set(instances.map((i) => i.name));
    for (const name of this.current.keys()) if (!names.has(name)) this.current.delete(name);
    for (const name of names)
      if (!this.current.has(name)) this.current.set(name, { state: 'UNKNOWN', since: new Date() });
  }

  private async learnStatesFromAddresses(instances: VrrpInstancePlan[], resolved: Map<string, string>): Promise<void> {
    const links = await listLinkAddresses(this.run, this.options.netns);
    for (const instance of instances) {
      // A FIFO line (read meanwhile) is keepalived's own word and wins over the inference.
      if (this.current.get(instance.name)?.state !== 'UNKNOWN') continue;
      const iface = instance.interface ?? resolved.get(instance.name);
      this.setState(instance.name, stateFromAddresses(instance, iface, links));
    }
  }

  private onFifoLine(line: string): void {
    const parsed = parseNotifyFifoLine(line);
    if (parsed?.type === 'INSTANCE' && this.current.has(parsed.name)) this.setState(parsed.name, parsed.state);
  }

  /**
   * The VRRP process closed the FIFO. If keepalived is gone with it (a crash: no STOP line), its
   * instances are stopped. A SIGKILLed keepalived leaves its VIPs on the interface; the next one
   * removes them when it starts as BACKUP (checked with 2.2.7).
   */
  private onFifoWriterGone(): void {
    const pid = this.pid;
    if (pid === undefined) return;
    // keepalived's parent exits up to about a second after its VRRP process; a respawned VRRP
    // process (the parent lives on) reports its own states.
    setTimeout(() => {
      void isAlive(pid).then((alive) => {
        if (alive || this.pid !== pid) return;
        this.pid = undefined;
        this.setAll('STOP');
      });
    }, 2_000).unref();
  }

  private setAll(state: VrrpState): void {
    for (const name of this.current.keys()) this.setState(name, state);
  }

  private setState(name: string, state: VrrpState): void {
    const previous = this.current.get(name);
    if (previous?.state === state) return;
    const next = { state, since: new Date() };
    this.current.set(name, next);
    this.options.onStateChange?.(name, next, previous);
  }

  private inNetns(argv: string[]): string[] {
    return this.options.netns ? ['ip', 'netns', 'exec', this.options.netns, ...argv] : argv;
  }

  /** ensure and stop run one at a time, in call order. */
  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn, fn);
    this.queue = result.catch(() => {});
    return result;
  }
}
