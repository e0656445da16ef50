import { describe, expect, it } from 'vitest';
import { parseLocalArgs } from '../../../src/node/local-command.js';

const base = ['--manifests', 'm', '--node', 'lvs01', '--state-dir', '/tmp/s'];

describe('lvs-operator local options', () => {
  it('defaults: resync every 10 s, drains for at most 300 s, status beside the state, metrics on 9641', () => {
    expect(parseLocalArgs(base)).toEqual({
      manifests: 'm',
      node: 'lvs01',
      stateDir: '/tmp/s',
      statusFile: '/tmp/s/status.json',
      resyncSeconds: 10,
      drainTimeoutSeconds: 300,
      metricsAddress: { host: '0.0.0.0', port: 9641 },
    });
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
});
