// The processes of a real-kubelet node (kube-node.sh puts everything of node HOST, daemons and
// pods, under the cgroup /HOST), found through /proc: the driver's mount namespace does not show
// the cgroup2 tree, but /proc/PID/cgroup names each process's cgroup all the same.
import { readFileSync, readdirSync } from 'node:fs';

export interface NodeProcess {
  pid: number;
  comm: string;
  argv: string[];
}

const read = (pid: string, file: string) => {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined; // gone meanwhile
  }
};

export function nodeProcesses(host: string): NodeProcess[] {
  const found: NodeProcess[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const cgroup = read(pid, 'cgroup');
    if (!cgroup?.split('\n').some((l) => l.startsWith(`0::/${host}/`))) continue;
    const comm = read(pid, 'comm')?.trim();
    const cmdline = read(pid, 'cmdline');
    if (comm === undefined || cmdline === undefined) continue;
    found.push({ pid: Number(pid), comm, argv: cmdline.split('\0').filter(Boolean) });
  }
  return found;
}

/** The pids of the node's lvs-operator processes running `command` (agent, keepalived, controller). */
export function lvsOperatorPids(host: string, command: string): number[] {
  return nodeProcesses(host)
    .filter((p) => p.argv.some((a) => a.endsWith('lvs-operator.mjs')) && p.argv.includes(command))
    .map((p) => p.pid);
}

/** Resident memory (VmRSS) of the processes, MiB (the benchmarks' and the pods suite's figure). */
export function rssMiB(pids: readonly number[]): number {
  let kib = 0;
  // a process gone meanwhile throws: a figure of 0 would hide it
  for (const pid of pids)
    kib += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return kib / 1024;
}
