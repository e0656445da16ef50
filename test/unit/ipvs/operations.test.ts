import { describe, expect, it } from 'vitest';
import { diffOperations, diffTables } from '../../../src/core/ipvs/diff.js';
import { operationLine, operationsVisible, type IpvsOperation } from '../../../src/core/ipvs/operations.js';
import { dr, nat, table, tcp, tun } from './builders.js';

const web = tcp('192.0.2.100', 80, 'rr');

describe('IPVS operations', () => {
  it('each is one ipvsadm -R line with its full spec', () => {
    const ops: IpvsOperation[] = [
      { kind: 'add-service', service: { ...web, persistence: { timeout: 300 } } },
      { kind: 'update-service', service: web },
      { kind: 'delete-service', service: web },
      { kind: 'add-destination', service: web, destination: nat('10.0.0.1', 80, 2) },
      { kind: 'update-destination', service: web, destination: tun('10.0.0.2', 80, 0, { tunnelType: 'gre' }) },
      { kind: 'delete-destination', service: web, destination: { address: '10.0.0.1', port: 80 } },
    ];
    expect(ops.map(operationLine)).toEqual([
      '-A -t 192.0.2.100:80 -s rr -p 300',
      '-E -t 192.0.2.100:80 -s rr',
      '-D -t 192.0.2.100:80',
      '-a -t 192.0.2.100:80 -r 10.0.0.1:80 -m -w 2',
      '-e -t 192.0.2.100:80 -r 10.0.0.2:80 -i -w 0 --tun-type gre --tun-nocsum',
      '-d -t 192.0.2.100:80 -r 10.0.0.1:80',
    ]);
  });

  it('diffTables is diffOperations as lines, and operations carry no destinations of their service', () => {
    const actual = table(tcp('192.0.2.100', 80, 'rr', {}, [dr('10.0.0.1', 80), dr('10.0.0.2', 80)]));
    const desired = table(tcp('192.0.2.100', 80, 'wrr', {}, [dr('10.0.0.1', 80, 3), dr('10.0.0.3', 80)]));
    const ops = diffOperations(actual, desired, { owned: new Set() });
    expect(ops.map(operationLine)).toEqual(diffTables(actual, desired, { owned: new Set() }));
    expect(ops.map((op) => op.kind)).toEqual([
      'update-service',
      'delete-destination',
      'update-destination',
      'add-destination',
    ]);
    expect(ops.every((op) => !('destinations' in op.service))).toBe(true);
  });

  it('operationsVisible: whether a table read afterwards shows each effect', () => {
    const after = table(tcp('192.0.2.100', 80, 'rr', {}, [nat('10.0.0.1', 80, 2, { upperThreshold: 5 })]));
    const ops: IpvsOperation[] = [
      { kind: 'add-service', service: web },
      { kind: 'update-service', service: tcp('192.0.2.100', 80, 'wrr') },
      { kind: 'delete-service', service: tcp('192.0.2.200', 80, 'rr') },
      { kind: 'delete-service', service: web },
      { kind: 'add-destination', service: web, destination: nat('10.0.0.1', 80, 2) },
      { kind: 'update-destination', service: web, destination: nat('10.0.0.1', 80, 7) },
      { kind: 'delete-destination', service: web, destination: { address: '10.0.0.9', port: 80 } },
      { kind: 'add-destination', service: tcp('192.0.2.200', 80, 'rr'), destination: nat('10.0.0.1', 80) },
    ];
    expect(operationsVisible(after, ops, true)).toEqual([true, false, true, false, true, false, true, false]);
    // the add asked for no threshold; the table shows one
    expect(operationsVisible(after, ops, false)[4]).toBe(false);
  });
});
