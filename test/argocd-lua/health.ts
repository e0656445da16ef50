// Argo CD's health of an object by the scripts in deploy/argocd, computed by argocd-lua-health
// (this folder: Argo CD's Lua wrapper over gopher-lua). For the tests that have objects to judge:
// hand-made ones (test/deploy/argocd-health.test.ts), the real controller's (envtest), or a dump of
// `kubectl get virtualservices,realservers -o json` from a real cluster (argoHealthOfList).
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** What Argo CD shows: status is one of Healthy, Progressing, Degraded, Suspended, Missing, Unknown (or absent). */
export interface ArgoHealth {
  status?: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';
  message?: string;
}

/** The health scripts of deploy/argocd by kind, as argocd-cm-patch.yaml installs them. */
export const healthScripts: Record<string, string> = {
  VirtualService: join(repo, 'deploy/argocd/health-virtualservice.lua'),
  RealServer: join(repo, 'deploy/argocd/health-realserver.lua'),
};

let built: string | undefined;
/**
 * The argocd-lua-health binary: ARGOCD_LUA_HEALTH, else what scripts/argocd-lua.sh prints (it
 * builds the binary once into the cache; under a minute with an empty Go cache).
 */
export function argoHealthBinary(): string {
  if (process.env.ARGOCD_LUA_HEALTH) return process.env.ARGOCD_LUA_HEALTH;
  if (built) return built;
  const r = spawnSync(join(repo, 'scripts/argocd-lua.sh'), [], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`scripts/argocd-lua.sh exited ${r.status}: ${r.stderr}`);
  built = r.stdout.trim().split('\n').at(-1)!;
  return built;
}

/**
 * Runs the health script on the object (JSON text or a parsed object). Rejects when the script
 * fails under Argo CD's Lua (Argo CD would show Unknown with the error), with the error.
 */
export function argoHealth(scriptPath: string, object: unknown, binary = argoHealthBinary()): Promise<ArgoHealth> {
  const input = typeof object === 'string' ? object : JSON.stringify(object);
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [scriptPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as ArgoHealth);
      else reject(new Error(`argocd-lua-health ${scriptPath} exited ${code}: ${stderr.trim()}`));
    });
    child.stdin.end(input);
  });
}

interface Item {
  kind: string;
  metadata: { name: string; namespace?: string };
}

/**
 * The health of each VirtualService and RealServer of a kubectl List (`kubectl get
 * virtualservices,realservers -o json`), keyed Kind/namespace/name; other kinds are left out.
 */
export async function argoHealthOfList(list: string | { items: Item[] }): Promise<Record<string, ArgoHealth>> {
  const { items } = typeof list === 'string' ? (JSON.parse(list) as { items: Item[] }) : list;
  const result: Record<string, ArgoHealth> = {};
  for (const item of items) {
    const script = healthScripts[item.kind];
    if (!script) continue;
    const key = `${item.kind}/${item.metadata.namespace ?? ''}/${item.metadata.name}`;
    result[key] = await argoHealth(script, item);
  }
  return result;
}
