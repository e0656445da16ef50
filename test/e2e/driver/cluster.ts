// The topology's moving parts as the checks see them: agents (start, signals, status documents),
// VRRP (who holds the VIP), keepalived processes, manifests variants.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Host,
  agentHosts,
  bundle,
  directors,
  manifestsDir,
  manifestsRoot,
  ns,
  outDir,
  runDir,
  VIP,
} from './env.js';
import { inNs, log, must, run, sleep, topo, waitFor } from './exec.js';

/** The agent's status document (LVSNode status shape), as far as the checks read it. */
export interface AgentStatus {
  appliedGeneration?: number;
  lastError?: string;
  vrrp?: { name: string; state: string }[];
  destinations?: { service: string; address: string; port: number; healthy: boolean; weight?: number }[];
}

const agentDir = (host: Host) => join(runDir, 'agents', host);

/** Whether the bundle has the node agent (`local`); until it lands, agent checks report why they cannot run. */
export async function agentAvailable(): Promise<boolean> {
  const help = await run(['node', bundle, 'local', '--help']);
  return `${help.stdout}${help.stderr}`.includes('--state-dir');
}

/** Copies a variant (ROOT/NAME, by default test/e2e/manifests/NAME) into the working dir, each file replaced atomically. */
export function useManifests(variant: string, root = manifestsRoot): void {
  for (const file of readdirSync(join(root, variant))) writeManifest(file, readFileSync(join(root, variant, file)));
  log(`manifests: ${variant}`);
}

/** Replaces one file of the working manifests dir atomically: never a half-written file for an agent's pass. */
export function writeManifest(file: string, content: string | Buffer): void {
  mkdirSync(manifestsDir, { recursive: true });
  const tmp = join(manifestsDir, `.${file}.tmp`);
  writeFileSync(tmp, content);
  renameSync(tmp, join(manifestsDir, file));
  log(`manifests: ${file} written`);
}

export async function startAgent(host: Host): Promise<number> {
  await topo('agent_start', host, manifestsDir);
  return agentPid(host);
}

export async function startAgents(hosts: readonly Host[] = agentHosts): Promise<void> {
  await Promise.all(hosts.map((h) => startAgent(h)));
}

export function agentPid(host: Host): number {
  return Number(readFileSync(join(agentDir(host), 'agent.pid'), 'utf8').trim());
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function signalAgent(host: Host, signal: NodeJS.Signals): number {
  const pid = agentPid(host);
  process.kill(pid, signal);
  return pid;
}

export async function waitExit(pid: number, timeoutMs: number): Promise<number> {
  return (await waitFor(`pid ${pid} to exit`, async () => (alive(pid) ? undefined : true), timeoutMs, 50)).ms;
}

export function status(host: Host): AgentStatus | undefined {
  try {
    return JSON.parse(readFileSync(join(agentDir(host), 'status.json'), 'utf8')) as AgentStatus;
  } catch {
    return undefined;
  }
}

export function statusLine(host: Host): string {
  const s = status(host);
  if (!s) return `${host}: no status file`;
  const vrrp = (s.vrrp ?? []).map((v) => `${v.name}=${v.state}`).join(' ');
  const dests = (s.destinations ?? []).map((d) => `${d.address}:${d.port}${d.healthy ? '' : ' DOWN'}`).join(' ');
  return `${host}: gen ${s.appliedGeneration ?? '-'} vrrp [${vrrp}] dests [${dests}]${s.lastError ? ` lastError: ${s.lastError}` : ''}`;
}

/** The directors holding the VIP on eth0 now. */
export async function vipHolders(): Promise<Host[]> {
  const held = await Promise.all(
    directors.map(async (d) => (await run(['ip', '-n', ns(d), '-4', '-o', 'addr', 'show', 'dev', 'eth0'])).stdout),
  );
  return directors.filter((_, i) => held[i]!.includes(` ${VIP}/`));
}

/** Waits until host holds the VIP; alone: and the other director does not (after a crash the dead
 * director still has the address configured, which matters to nobody once its link is down). */
export async function waitVip(host: Host, timeoutMs: number, alone = true): Promise<number> {
  return (
    await waitFor(
      `${host} to hold the VIP${alone ? ' alone' : ''}`,
      async () => {
        const holders = await vipHolders();
        return holders.includes(host) && (!alone || holders.length === 1) ? true : undefined;
      },
      timeoutMs,
      100,
    )
  ).ms;
}

export async function macOf(host: Host): Promise<string> {
  const link = await must(['ip', '-n', ns(host), '-o', 'link', 'show', 'dev', 'eth0']);
  return /link\/ether (\S+)/.exec(link)?.[1] ?? '(none)';
}

/** keepalived processes in the host's netns (the agent starts them daemonized). */
export async function keepalivedPids(host: Host): Promise<number[]> {
  return pidsIn(ns(host), 'keepalived');
}

/** Every process in the network namespace with this command name. */
export async function pidsIn(netns: string, comm: string): Promise<number[]> {
  const pids = (await run(['ip', 'netns', 'pids', netns])).stdout.split(/\s+/).filter(Boolean).map(Number);
  return pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm;
    } catch {
      return false;
    }
  });
}

/**
 * Crashes a director as the checks, the demo and the benchmarks do: its link goes down first (a
 * dying keepalived must not get a last advert out: its VRRP child gets SIGTERM when its parent
 * dies and may send priority 0 before SIGKILL lands), then its agent (withAgent) and keepalived
 * are SIGKILLed. Returns when the link went down (epoch ms), how long ip(8) took, and the pids.
 */
export async function crashHost(
  host: Host,
  withAgent = true,
): Promise<{ at: number; linkDownMs: number; victims: number[] }> {
  const victims = [...(withAgent ? [agentPid(host)] : []), ...(await keepalivedPids(host))];
  const at = Date.now();
  await setLink(host, false);
  const linkDownMs = Date.now() - at;
  for (const pid of victims) process.kill(pid, 'SIGKILL');
  return { at, linkDownMs, victims };
}

export async function sysctl(host: Host, names: string[]): Promise<Record<string, string>> {
  const values = (await must(inNs(host, ['sysctl', '-n', ...names]))).trim().split('\n');
  return Object.fromEntries(names.map((n, i) => [n, values[i] ?? '']));
}

/** Copies every agent's log, status and state files and the nginx logs to OUT/logs/PHASE. */
export function saveLogs(phase: string): void {
  for (const what of ['agents', 'nginx']) {
    const from = join(runDir, what);
    if (existsSync(from)) cpSync(from, join(outDir, 'logs', phase, what), { recursive: true });
  }
}

export async function setLink(host: Host, up: boolean): Promise<void> {
  // the bridge's side of the host's veth: the host is cut off as by a pulled cable
  await must(['ip', '-n', ns('sw'), 'link', 'set', `v-${host}`, up ? 'up' : 'down']);
}

export { sleep };
