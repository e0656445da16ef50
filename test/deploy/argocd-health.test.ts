// The Argo CD health checks of deploy/argocd run as Argo CD's application controller runs an
// argocd-cm health script: gopher-lua (Lua 5.1) with only the base, table, package and safe os
// libraries, the object as `obj`, the returned table read as {status, message}. argocd-lua-health
// (test/argocd-lua) does it; scripts/argocd-lua.sh builds it from the Go module proxy once, or
// ARGOCD_LUA_HEALTH names it. The objects are the seed example as applied, with the status the
// controller writes at each stage; test/envtest/controller.envtest.test.ts feeds the real
// controller's objects to the same scripts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { argoHealth, argoHealthBinary, argoHealthOfList, healthScripts } from '../argocd-lua/health.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const VS_SCRIPT = healthScripts.VirtualService!;
const RS_SCRIPT = healthScripts.RealServer!;

type Condition = { type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string };
type Obj = { kind: string; metadata: { name: string; generation?: number }; status?: unknown };

/** The seed example's objects as the API server returns them just after `kubectl apply`: generation 1, no status. */
const seed = (file: string, name: string): Obj => {
  const docs = parseAllDocuments(readFileSync(join(repo, 'examples/seed-dr', file), 'utf8')).map((d) => d.toJS() as Obj);
  const o = docs.find((d) => d.metadata.name === name)!;
  return { ...o, metadata: { ...o.metadata, generation: 1 } };
};
const cond = (type: string, status: Condition['status'], reason: string, message: string) => ({
  type,
  status,
  reason,
  message,
});
/** The object at generation `generation` with the controller's status for `observed`. */
const withStatus = (o: Obj, conditions: Condition[], generation = 1, observed = generation): Obj => ({
  ...o,
  metadata: { ...o.metadata, generation },
  status: { observedGeneration: observed, conditions: conditions.map((c) => ({ ...c, observedGeneration: observed })) },
});

const web = () => seed('virtualservice.yaml', 'web');
const nginx01 = () => seed('realservers.yaml', 'nginx01');
const READY = 'lvs01 holds 172.16.40.160; 2/2 real servers healthy';
const programmed = cond('Programmed', 'True', 'Programmed', 'programmed on lvs01, lvs02');
const asExpected = cond('Degraded', 'False', 'AsExpected', 'every director is programmed and every real server is healthy');
const rsAsExpected = cond('Degraded', 'False', 'AsExpected', 'healthy on every director');

beforeAll(() => {
  argoHealthBinary(); // built once here, not inside the first test's timeout
}, 600_000);

describe('Argo CD health of a VirtualService', () => {
  it('is Progressing, waiting for the controller, just after it is applied (no status)', async () => {
    expect(await argoHealth(VS_SCRIPT, web())).toEqual({ status: 'Progressing', message: 'waiting for the controller' });
  });

  it('is Progressing with the message while the directors have not applied it (NotProgrammed)', async () => {
    const message = 'lvs01: not yet applied; lvs02: not yet applied';
    const vs = withStatus(web(), [
      cond('Ready', 'False', 'NotProgrammed', message),
      cond('Programmed', 'False', 'Pending', message),
      cond('Degraded', 'True', 'Degraded', `not programmed: ${message}`),
    ]);
    expect(await argoHealth(VS_SCRIPT, vs)).toEqual({ status: 'Progressing', message });
  });

  it('is Progressing while status.observedGeneration is behind metadata.generation, even if Ready', async () => {
    const vs = withStatus(web(), [cond('Ready', 'True', 'Ready', READY), programmed, asExpected], 3, 2);
    expect(await argoHealth(VS_SCRIPT, vs)).toEqual({
      status: 'Progressing',
      message: 'waiting for the controller to observe generation 3',
    });
  });

  it('is Progressing when the status has no Ready condition yet', async () => {
    expect((await argoHealth(VS_SCRIPT, withStatus(web(), []))).status).toBe('Progressing');
  });

  it('is Healthy with the Ready message when Ready is True', async () => {
    const vs = withStatus(web(), [cond('Ready', 'True', 'Ready', READY), programmed, asExpected]);
    expect(await argoHealth(VS_SCRIPT, vs)).toEqual({ status: 'Healthy', message: READY });
  });

  it('stays Healthy while some real servers are down (Degraded True, reason Degraded)', async () => {
    const ready = cond('Ready', 'True', 'Ready', 'lvs01 holds 172.16.40.160; 1/2 real servers healthy');
    const vs = withStatus(web(), [ready, programmed, cond('Degraded', 'True', 'Degraded', '1/2 real servers unhealthy')]);
    expect(await argoHealth(VS_SCRIPT, vs)).toEqual({ status: 'Healthy', message: ready.message });
  });

  it.each([
    ['NoHealthyRealServers', 'no healthy real server on lvs01'],
    ['NoMaster', 'no director holds the VIP'],
    ['NoDirectors', 'no Node matches spec.directors'],
  ])('is Degraded with the message when Ready is False with reason %s', async (reason, message) => {
    const vs = withStatus(web(), [cond('Ready', 'False', reason, message), programmed, asExpected]);
    expect(await argoHealth(VS_SCRIPT, vs)).toEqual({ status: 'Degraded', message });
  });

  it('is Degraded for an invalid spec (Ready, Programmed and Degraded with reason InvalidSpec)', async () => {
    const message = 'spec.address: 172.16.40.151 is the address of real server default/nginx01';
    const vs = withStatus(web(), [
      cond('Ready', 'False', 'InvalidSpec', message),
      cond('Programmed', 'False', 'InvalidSpec', message),
      cond('Degraded', 'True', 'InvalidSpec', message),
    ]);
    expect(await argoHealth(VS_SCRIPT, vs)).toEqual({ status: 'Degraded', message });
  });

  it('is Degraded for an invalid spec even while the last valid version serves (Ready True)', async () => {
    const message = 'invalid, keeping its last valid version: spec.vrrp.authSecretRef: Secret default/nope not found';
    const vs = withStatus(
      web(),
      [cond('Ready', 'True', 'Ready', READY), programmed, cond('Degraded', 'True', 'InvalidSpec', message)],
      2,
    );
    expect(await argoHealth(VS_SCRIPT, vs)).toEqual({ status: 'Degraded', message });
  });

  it('is Progressing, "Pending deletion", while it waits on its finalizer (Argo CD decides that before the script)', async () => {
    const vs = withStatus(web(), [cond('Ready', 'True', 'Ready', READY), programmed, asExpected]);
    const deleting = { ...vs, metadata: { ...vs.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    expect(await argoHealth(VS_SCRIPT, deleting)).toEqual({ status: 'Progressing', message: 'Pending deletion' });
  });
});

describe('Argo CD health of a RealServer', () => {
  it('is Progressing just after it is applied, and while not checked yet on the master', async () => {
    expect(await argoHealth(RS_SCRIPT, nginx01())).toEqual({ status: 'Progressing', message: 'waiting for the controller' });
    const notYet = cond('Ready', 'False', 'Unhealthy', 'not checked yet on lvs01, the master');
    expect(await argoHealth(RS_SCRIPT, withStatus(nginx01(), [notYet, rsAsExpected]))).toEqual({
      status: 'Progressing',
      message: notYet.message,
    });
    expect((await argoHealth(RS_SCRIPT, withStatus(nginx01(), [notYet, rsAsExpected], 2, 1))).status).toBe('Progressing');
    const unobserved = { ...nginx01(), status: { conditions: [notYet, rsAsExpected] } };
    expect(await argoHealth(RS_SCRIPT, unobserved)).toEqual({ status: 'Progressing', message: 'waiting for the controller' });
  });

  it.each([
    ['NoMaster', 'no director of default/web holds the VIP'],
    ['NotPlanned', 'no director serves VirtualService default/web'],
  ])('is Progressing when Ready is False with reason %s and nothing is degraded', async (reason, message) => {
    expect(await argoHealth(RS_SCRIPT, withStatus(nginx01(), [cond('Ready', 'False', reason, message), rsAsExpected]))).toEqual({
      status: 'Progressing',
      message,
    });
  });

  it('is Healthy when Ready is True (healthy on the master)', async () => {
    const ready = cond('Ready', 'True', 'Healthy', 'healthy on lvs01, the master');
    expect(await argoHealth(RS_SCRIPT, withStatus(nginx01(), [ready, rsAsExpected]))).toEqual({
      status: 'Healthy',
      message: ready.message,
    });
  });

  it('is Degraded when its health check fails (Degraded True, reason Unhealthy)', async () => {
    const ready = cond('Ready', 'False', 'Unhealthy', 'unhealthy on lvs01, the master: connection refused');
    const degraded = cond('Degraded', 'True', 'Unhealthy', 'unhealthy on lvs01, lvs02');
    expect(await argoHealth(RS_SCRIPT, withStatus(nginx01(), [ready, degraded]))).toEqual({
      status: 'Degraded',
      message: degraded.message,
    });
  });

  it('is Degraded for an invalid spec, even while its last valid version is healthy', async () => {
    const message = 'spec.address: 172.16.40.160 is the VIP of default/web';
    const invalid = withStatus(nginx01(), [
      cond('Ready', 'False', 'InvalidSpec', message),
      cond('Degraded', 'True', 'InvalidSpec', message),
    ]);
    expect(await argoHealth(RS_SCRIPT, invalid)).toEqual({ status: 'Degraded', message });
    const kept = `invalid, keeping its last valid version: ${message}`;
    const serving = withStatus(nginx01(), [
      cond('Ready', 'True', 'Healthy', 'healthy on lvs01, the master'),
      cond('Degraded', 'True', 'InvalidSpec', kept),
    ]);
    expect(await argoHealth(RS_SCRIPT, serving)).toEqual({ status: 'Degraded', message: kept });
  });
});

describe("argocd-lua-health, Argo CD's Lua", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'argocd-lua-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** A copy of the VirtualService script with one line changed. */
  const broken = (from: string, to: string) => {
    const source = readFileSync(VS_SCRIPT, 'utf8');
    expect(source).toContain(from);
    const file = join(dir, `${Math.random().toString(36).slice(2)}.lua`);
    writeFileSync(file, source.replace(from, to));
    return file;
  };
  const ready = () => withStatus(web(), [cond('Ready', 'True', 'Ready', READY), programmed, asExpected]);

  it('gives a script no string or math library (Lua 5.4 and useOpenLibs would), so using one fails', async () => {
    const script = broken('hs.message = ready.message', 'hs.message = string.format("%s", ready.message)');
    await expect(argoHealth(script, ready())).rejects.toThrow(/attempt to index a non-table object\(nil\)/);
  });

  it('gives a script no global os, and through require("os") only time and date (Argo CD\'s safe os)', async () => {
    const script = broken(
      'hs.message = ready.message',
      'local os2 = require("os"); hs.message = tostring(os) .. " " .. type(os2.time) .. " " .. type(os2.date) .. " " .. tostring(os2.execute) .. " " .. tostring(os2.getenv) .. " " .. os2.date("!%Y-%m-%d", 86400)',
    );
    expect(await argoHealth(script, ready())).toEqual({
      status: 'Healthy',
      message: 'nil function function nil nil 1970-01-02',
    });
  });

  it('gives a script Lua 5.1: no integer division, a syntax error', async () => {
    const script = broken('obj.status.observedGeneration < generation', 'obj.status.observedGeneration // 1 < generation');
    await expect(argoHealth(script, ready())).rejects.toThrow(/argocd-lua-health .* exited 1/);
  });

  it('turns a status that is not one of its six into Unknown', async () => {
    expect(await argoHealth(broken('hs.status = "Healthy"', 'hs.status = "Ready"'), ready())).toEqual({
      status: 'Unknown',
      message: 'Lua returned an invalid health status',
    });
  });

  it('judges each VirtualService and RealServer of a `kubectl get -o json` List', async () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [web(), withStatus(nginx01(), [cond('Ready', 'True', 'Healthy', 'healthy on lvs01, the master'), rsAsExpected])],
    };
    expect(await argoHealthOfList(JSON.stringify(list))).toEqual({
      'VirtualService/default/web': { status: 'Progressing', message: 'waiting for the controller' },
      'RealServer/default/nginx01': { status: 'Healthy', message: 'healthy on lvs01, the master' },
    });
  });
});
