// The simulator must behave like ipvsadm -R on the real kernel; each case is an observation
// recorded in test/golden/ipvs/facts.txt (capture.sh, probes edit_service/edit_dest/errors).
import { describe, expect, it } from 'vitest';
import { canonicalTable } from '../../../src/core/ipvs/canonical.js';
import { applyRestoreLines, RestoreRejectedError } from '../../../src/core/ipvs/restore-sim.js';
import { SaveFormatError } from '../../../src/core/ipvs/save-format.js';
import { dr, nat, table, tcp, tun } from './builders.js';

const base = table(
  tcp('192.0.2.1', 80, 'rr', { persistence: { timeout: 300, netmask: '255.255.255.0' }, schedulerFlags: ['flag-1'] }, [
    nat('10.0.0.1', 80, 3, { upperThreshold: 10, lowerThreshold: 5 }),
    tun('10.0.0.3', 80, 2, { tunnelType: 'gue', tunnelPort: 6080 }),
  ]),
);
const apply = (...lines: string[]) => applyRestoreLines(base, lines);
const onlyService = (t: ReturnType<typeof apply>) => t.services[0];

describe('applyRestoreLines: edits replace the whole spec, as on the real kernel', () => {
  it('-E without -p drops persistence, and without -b the flags', () => {
    const s = onlyService(apply('-E -t 192.0.2.1:80 -s rr'));
    expect([s?.scheduler, s?.persistence, s?.schedulerFlags]).toEqual(['rr', undefined, undefined]);
  });

  it('-E -p 300 without -M resets the netmask to host', () => {
    expect(onlyService(apply('-E -t 192.0.2.1:80 -s rr -p 300'))?.persistence).toEqual({ timeout: 300 });
  });

  it('-E without -s sets the default scheduler wlc', () => {
    expect(onlyService(apply('-E -t 192.0.2.1:80 -p 60'))?.scheduler).toBe('wlc');
  });

  it('-E keeps the destinations', () => {
    expect(onlyService(apply('-E -t 192.0.2.1:80 -s wlc'))?.destinations).toHaveLength(2);
  });

  it('-e without -m turns a NAT destination into DR, and without -x/-y zeroes the thresholds', () => {
    expect(onlyService(apply('-e -t 192.0.2.1:80 -r 10.0.0.1:80 -w 4'))?.destinations[0]).toEqual(
      dr('10.0.0.1', 80, 4),
    );
  });

  it('-e without -w sets weight 1', () => {
    expect(onlyService(apply('-e -t 192.0.2.1:80 -r 10.0.0.1:80 -m'))?.destinations[0]).toEqual(nat('10.0.0.1', 80, 1));
  });

  it('-e -i without --tun-type turns a GUE tunnel into ipip', () => {
    expect(onlyService(apply('-e -t 192.0.2.1:80 -r 10.0.0.3:80 -i -w 2'))?.destinations[1]).toEqual(
      tun('10.0.0.3', 80, 2),
    );
  });

  it('-e of a NAT destination on another port with -g looks for the service port and fails', () => {
    const t = table(tcp('192.0.2.1', 80, 'rr', {}, [nat('10.0.0.5', 8080)]));
    expect(() => applyRestoreLines(t, ['-e -t 192.0.2.1:80 -r 10.0.0.5:8080 -g'])).toThrow(
      /No such destination 10.0.0.5:80/,
    );
  });

  it('-C clears everything, -D removes a service with its destinations', () => {
    expect(apply('-C')).toEqual(table());
    expect(apply('-D -t 192.0.2.1:80')).toEqual(table());
  });

  it('blank lines do nothing', () => {
    expect(apply('', '  ')).toEqual(canonicalTable(base));
  });

  it('does not modify the table it is given', () => {
    const before = JSON.stringify(base);
    apply('-e -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 9', '-d -t 192.0.2.1:80 -r 10.0.0.3:80', '-E -t 192.0.2.1:80 -s sh');
    expect(JSON.stringify(base)).toBe(before);
  });
});

describe('applyRestoreLines: rejects what the kernel rejects', () => {
  it.each([
    ['Service already exists', '-A -t 192.0.2.1:80 -s wlc'],
    ['Destination already exists', '-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 2'],
    ['No such destination', '-e -t 192.0.2.1:80 -r 10.0.0.99:80 -m'],
    ['No such destination', '-d -t 192.0.2.1:80 -r 10.0.0.99:80'],
    ['No such service', '-E -t 192.0.2.99:80 -s rr'],
    ['No such service', '-D -t 192.0.2.99:80'],
    ['Service not defined', '-a -t 192.0.2.99:80 -r 10.0.0.1:80 -m'],
    ['Zero port specified for non-persistent service', '-A -t 192.0.2.14:0 -s rr'],
    ['Numerical result out of range', '-a -t 192.0.2.1:80 -r 10.0.0.7:80 -m -x 10 -y 20'],
    ['Numerical result out of range', '-a -t 192.0.2.1:80 -r 10.0.0.7:80 -m -y 5'],
    ['firewall-mark services are not simulated', '-A -f 1 -s rr'],
    ['Invalid operation (address not unicast)', '-a -t 192.0.2.1:80 -r 224.0.0.1:80 -m'],
  ])('%s: %s', (reason, line) => {
    expect(() => apply('-a -t 192.0.2.1:80 -r 10.0.0.6:80 -m', line)).toThrow(RestoreRejectedError);
    expect(() => apply('-a -t 192.0.2.1:80 -r 10.0.0.6:80 -m', line)).toThrow(`line 2: ${reason}`);
  });

  it('a malformed line is a SaveFormatError with its line number', () => {
    expect(() => apply('-A -t 192.0.2.2:80 -s rr', '-a -t 192.0.2.2:80 -r nonsense -m')).toThrow(SaveFormatError);
    expect(() => apply('-A -t 192.0.2.2:80 -s rr', '-a -t 192.0.2.2:80 -r nonsense -m')).toThrow(/^line 2:/);
  });
});
