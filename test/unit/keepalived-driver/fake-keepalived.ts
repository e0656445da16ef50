// A stand-in for keepalived, so the supervisor's decisions (start, adopt, reload or not) can be
// tested without root or a network: a shell script named `keepalived` (so /proc/PID/comm says
// keepalived) that daemonizes like it, writes its pid files, appends a line to `fake-reloads`
// beside the pid file for every SIGHUP and exits on SIGTERM, removing its pid files.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunCommand } from '../../../src/node/dataplane/command.js';
import { runCommand } from '../../../src/node/dataplane/command.js';

const SCRIPT = `#!/bin/sh
if [ "$1" != __daemon ]; then
  case " $* " in *" --config-test "*) exit CONFIG_TEST_EXIT;; esac
  "$0" __daemon "$@" </dev/null >/dev/null 2>&1 &
  exit 0
fi
shift
while [ $# -gt 0 ]; do
  case $1 in --pid) pidfile=$2; shift;; --vrrp_pid) vrrpfile=$2; shift;; esac
  shift
done
trap 'echo reload >> "\${pidfile%/*}/fake-reloads"' HUP
trap 'rm -f "$pidfile" "$vrrpfile"; exit 0' TERM
echo $$ > "$vrrpfile"
echo $$ > "$pidfile"
while :; do sleep 1 & wait $!; done
`;

/** Writes the fake into `dir` (as `dir`/keepalived) and returns its path. */
export function writeFakeKeepalived(dir: string, options: { rejectConfig?: boolean } = {}): string {
  const path = join(dir, 'keepalived');
  writeFileSync(path, SCRIPT.replace('CONFIG_TEST_EXIT', options.rejectConfig ? '1' : '0'));
  chmodSync(path, 0o755);
  return path;
}

export function reloadsSeen(stateDir: string): number {
  try {
    return readFileSync(join(stateDir, 'fake-reloads'), 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

/** Runs everything for real except `ip ... addr show`, which answers `ipAddrJson`. */
export function runWithAddresses(ipAddrJson: () => string, calls: string[][] = []): RunCommand {
  return async (argv, options) => {
    calls.push([...argv]);
    if (argv[0] === 'ip' && argv.includes('addr')) return { code: 0, stdout: ipAddrJson(), stderr: '' };
    return runCommand(argv, options);
  };
}
