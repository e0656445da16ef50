import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/io/flags.js';
import { parseAgentArgs } from '../../../src/node/agent-command.js';
import { parseControllerArgs } from '../../../src/cluster/command.js';
import { parseLocalArgs } from '../../../src/node/local-command.js';
import { parseMetricsAddress } from '../../../src/io/metrics-address.js';

const LOCAL = ['--manifests', 'm', '--node', 'lvs01', '--state-dir', 's'];
const AGENT = ['--node', 'lvs01'];

describe('--metrics-address', () => {
  it('defaults to every address, port 9641 for the agents and 8080 for the controller', () => {
    expect(parseLocalArgs(LOCAL).metricsAddress).toEqual({ host: '0.0.0.0', port: 9641 });
    expect(parseAgentArgs(AGENT).metricsAddress).toEqual({ host: '0.0.0.0', port: 9641 });
    expect(parseControllerArgs([]).metricsAddress).toEqual({ host: '0.0.0.0', port: 8080 });
  });

  it('takes an IPv4 or bracketed IPv6 host, or off', () => {
    expect(parseLocalArgs([...LOCAL, '--metrics-address', '127.0.0.1:19641']).metricsAddress).toEqual({
      host: '127.0.0.1',
      port: 19641,
    });
    expect(parseAgentArgs([...AGENT, '--metrics-address=[::]:9641']).metricsAddress).toEqual({
      host: '::',
      port: 9641,
    });
    expect(parseControllerArgs(['--metrics-address', '[2001:db8::1]:65535']).metricsAddress).toEqual({
      host: '2001:db8::1',
      port: 65535,
    });
    expect(parseControllerArgs(['--metrics-address', 'off']).metricsAddress).toBeUndefined();
    expect(parseLocalArgs([...LOCAL, '--metrics-address', 'off']).metricsAddress).toBeUndefined();
  });

  it.each([
    ['9641', 'no port'],
    ['0.0.0.0', 'no port'],
    ['0.0.0.0:0', 'the port "0" is not 1-65535'],
    ['0.0.0.0:65536', 'the port "65536" is not 1-65535'],
    ['0.0.0.0:http', 'the port "http" is not 1-65535'],
    ['0.0.0.0:', 'the port "" is not 1-65535'],
    [':9641', '"" is not an IPv4 address'],
    ['localhost:9641', '"localhost" is not an IPv4 address'],
    ['256.0.0.1:9641', '"256.0.0.1" is not an IPv4 address'],
    ['::1:9641', 'an IPv6 host needs brackets'],
    ['[::1]', 'no port'],
    ['[192.0.2.1]:9641', '"192.0.2.1" is not an IPv6 address'],
    ['[fe80::1%eth0]:9641', '"fe80::1%eth0" is not an IPv6 address'],
    ['OFF', 'no port'],
  ])('refuses %s: %s', (value, why) => {
    expect(() => parseMetricsAddress(value)).toThrow(UsageError);
    expect(() => parseMetricsAddress(value)).toThrow(`--metrics-address must be HOST:PORT`);
    expect(() => parseMetricsAddress(value)).toThrow(`${why} (got ${JSON.stringify(value)})`);
  });

  it('is refused by every command that takes it, naming the flag and the value', () => {
    const bad = ['--metrics-address', 'nowhere:1'];
    for (const parse of [() => parseLocalArgs([...LOCAL, ...bad]), () => parseAgentArgs([...AGENT, ...bad])])
      expect(parse).toThrow(/--metrics-address .*\(got "nowhere:1"\)/);
    expect(() => parseControllerArgs(bad)).toThrow(/--metrics-address .*\(got "nowhere:1"\)/);
  });
});
