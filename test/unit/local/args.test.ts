import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseLocalArgs } from '../../../src/node/local-command.js';
import { parseAgentArgs } from '../../../src/node/agent-command.js';

const base = ['--manifests', 'm', '--node', 'lvs01', '--state-dir', '/tmp/s'];

describe('lvs-operator local options', () => {
  it('defaults: resync every 10 s, drains for at most 300 s, status beside the state, metrics on 9641, IPVS over netlink', () => {
    expect(parseLocalArgs(base)).toEqual({
      manifests: 'm',
      node: 'lvs01',
      stateDir: '/tmp/s',
      statusFile: '/tmp/s/status.json',
      resyncSeconds: 10,
      drainTimeoutSeconds: 300,
      metricsAddress: { host: '0.0.0.0', port: 9641 },
      ipvs: 'netlink',
      keepalived: 'agent',
    });
  });

  it("takes --keepalived container (the pod's keepalived container starts it) and refuses anything else", () => {
    expect(parseLocalArgs([...base, '--keepalived', 'container']).keepalived).toBe('container');
    expect(() => parseLocalArgs([...base, '--keepalived', 'systemd'])).toThrow(
      '--keepalived must be agent or container (got systemd)',
    );
  });

  it('takes --ipvs ipvsadm (the tool, as before netlink) and refuses anything else', () => {
    expect(parseLocalArgs([...base, '--ipvs', 'ipvsadm']).ipvs).toBe('ipvsadm');
    expect(() => parseLocalArgs([...base, '--ipvs', 'iptables'])).toThrow(
      '--ipvs must be netlink or ipvsadm (got iptables)',
    );
  });

  it('takes a drain timeout of 0 (remove at once)', () => {
    expect(parseLocalArgs([...base, '--drain-timeout-seconds', '0']).drainTimeoutSeconds).toBe(0);
  });

  it.each([
    [['--drain-timeout-seconds=-1'], /--drain-timeout-seconds must be a whole number >= 0 \(got -1\)/],
    [['--drain-timeout-seconds', 'soon'], /got soon/],
    [['--resync-seconds', '0'], /--resync-seconds must be a number >= 1 \(got 0\)/],
  ])('refuses %j, naming the flag and the value', (extra, message) => {
    expect(() => parseLocalArgs([...base, ...extra])).toThrow(message);
  });

  it('names the flag that is missing', () => {
    expect(() => parseLocalArgs(['--node', 'x', '--state-dir', 's'])).toThrow('local needs --manifests DIR');
  });

  it('names the node that is missing, and takes it from NODE_NAME as the agent does', () => {
    vi.stubEnv('NODE_NAME', '');
    expect(() => parseLocalArgs(['--manifests', 'm'])).toThrow(
      'local needs --node NAME (or NODE_NAME in the environment)',
    );
    vi.stubEnv('NODE_NAME', 'lvs02');
    expect(parseLocalArgs(['--manifests', 'm']).node).toBe('lvs02');
    vi.unstubAllEnvs();
  });
});

describe('lvs-operator local and agent take the same flags with the same defaults', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('defaults the state dir to /var/lib/lvs-operator for both', () => {
    const local = parseLocalArgs(['--manifests', 'm', '--node', 'lvs01']);
    const { manifests, statusFile, ...shared } = local;
    expect({ manifests, statusFile }).toEqual({ manifests: 'm', statusFile: '/var/lib/lvs-operator/status.json' });
    const { kubeconfig, ...agentShared } = parseAgentArgs(['--node', 'lvs01']);
    expect(kubeconfig).toBeUndefined();
    expect(shared).toEqual({ ...agentShared, statusFile: undefined });
    expect(shared).toMatchObject({ stateDir: '/var/lib/lvs-operator', resyncSeconds: 10, drainTimeoutSeconds: 300 });
  });

  it('agent takes --node-labels (the DaemonSet affinity labels) and names a key Kubernetes would refuse', () => {
    expect(parseAgentArgs(['--node', 'lvs01', '--node-labels', 'lvs-operator.io/director,edge']).nodeLabels).toEqual([
      'lvs-operator.io/director',
      'edge',
    ]);
    expect(() => parseAgentArgs(['--node', 'lvs01', '--node-labels', 'edge,-bad'])).toThrow(
      '--node-labels: "-bad" is not a label key',
    );
    expect(() => parseLocalArgs(['--manifests', 'm', '--node', 'lvs01', '--node-labels', 'edge'])).toThrow(
      /node-labels/,
    );
  });

  it('gives both --proc-sys and --status-file', () => {
    const flags = ['--node', 'lvs01', '--proc-sys', '/host/proc/sys', '--status-file', '/run/s.json'];
    expect(parseLocalArgs(['--manifests', 'm', ...flags])).toMatchObject({
      procSys: '/host/proc/sys',
      statusFile: '/run/s.json',
    });
    expect(parseAgentArgs(flags)).toMatchObject({ procSys: '/host/proc/sys', statusFile: '/run/s.json' });
  });

  it("refuses the other source's flag", () => {
    expect(() => parseLocalArgs(['--manifests', 'm', '--node', 'x', '--kubeconfig', 'k'])).toThrow(/kubeconfig/);
    expect(() => parseAgentArgs(['--node', 'x', '--manifests', 'm'])).toThrow(/manifests/);
  });
});
