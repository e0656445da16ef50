import { describe, expect, it } from 'vitest';
import { parseSave, SaveFormatError } from '../../../src/core/ipvs/save-format.js';
import { dr, nat, table, tcp, tun, udp } from './builders.js';

const one = (text: string) => parseSave(text).table;

describe('parseSave: what it understands', () => {
  it('reads the long option forms a human writes for ipvsadm -R', () => {
    const text = [
      '--add-service --tcp-service 192.0.2.30:80 --scheduler wrr --persistent 60 --netmask 255.255.0.0',
      '--add-server --tcp-service 192.0.2.30:80 --real-server 10.0.0.30:80 --masquerading --weight 3',
      '--add-server --tcp-service 192.0.2.30:80 --real-server 10.0.0.31:80 --gatewaying --weight=4',
      '--add-server --tcp-service 192.0.2.30:80 --real-server 10.0.0.32:80 --ipip -w5 --u-threshold 9 --l-threshold 3',
      '--add-service --udp-service 192.0.2.31:53 --scheduler rr --ops --sched-flags flag-2',
    ].join('\n');
    expect(one(text)).toEqual(
      table(
        tcp('192.0.2.30', 80, 'wrr', { persistence: { timeout: 60, netmask: '255.255.0.0' } }, [
          nat('10.0.0.30', 80, 3),
          dr('10.0.0.31', 80, 4),
          tun('10.0.0.32', 80, 5, { upperThreshold: 9, lowerThreshold: 3 }),
        ]),
        udp('192.0.2.31', 53, 'rr', { onePacket: true, schedulerFlags: ['flag-2'] }),
      ),
    );
  });

  it('fills in ipvsadm defaults: scheduler wlc, bare -p = 360 s, DR, weight 1, the service port', () => {
    expect(one('-A -t 192.0.2.1:80 -p\n-a -t 192.0.2.1:80 -r 10.0.0.1\n')).toEqual(
      table(tcp('192.0.2.1', 80, 'wlc', { persistence: { timeout: 360 } }, [dr('10.0.0.1', 80)])),
    );
  });

  it('takes -p without a value before another option, like popt', () => {
    expect(one('-A -t 192.0.2.1:80 -s rr -p -M 255.255.255.0').services[0]?.persistence).toEqual({
      timeout: 360,
      netmask: '255.255.255.0',
    });
  });

  it('accepts port 0 for a persistent all-ports service, its DR destinations get port 0', () => {
    expect(one('-A -t 192.0.2.80:0 -s rr -p 600\n-a -t 192.0.2.80:0 -r 198.51.100.80:0 -g -w 1')).toEqual(
      table(tcp('192.0.2.80', 0, 'rr', { persistence: { timeout: 600 } }, [dr('198.51.100.80', 0)])),
    );
  });

  it('uses the service port for DR/TUN destinations, as ipvsadm does (NAT keeps its own port)', () => {
    const t = one(
      '-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 10.0.0.1:8080 -g\n-a -t 192.0.2.1:80 -r 10.0.0.2:8080 -m',
    );
    expect(t.services[0]?.destinations.map((d) => d.port)).toEqual([80, 8080]);
  });

  it('normalizes IPv6 so that differently written lines name the same service', () => {
    const t = one('-A -t [2001:DB8:0::A]:80 -s rr\n-a -t [2001:db8::a]:80 -r [2001:0DB8::0B]:80 -m');
    expect(t).toEqual(table(tcp('2001:db8::a', 80, 'rr', {}, [nat('2001:db8::b', 80)])));
  });

  it('drops default values: host netmasks, flag order, -M without -p', () => {
    const t = one(
      [
        '-A -t 192.0.2.1:80 -s rr -p 10 -M 255.255.255.255',
        '-A -t [2001:db8::1]:80 -s rr -p 10 -M 128',
        '-A -t 192.0.2.2:80 -s sh -b sh-port,flag-1,sh-port',
        '-A -t 192.0.2.3:80 -s rr -M 255.255.255.0',
      ].join('\n'),
    );
    expect(t.services.map((s) => [s.persistence, s.schedulerFlags])).toEqual([
      [{ timeout: 10 }, undefined],
      [undefined, ['sh-fallback', 'sh-port']],
      [undefined, undefined],
      [{ timeout: 10 }, undefined],
    ]);
  });

  it('reads the bare "-b " that ipvsadm -S prints for sh/mh with only the invisible bit 3 set', () => {
    expect(one('-A -t 192.0.2.1:80 -s sh -p 360 -b \n')).toEqual(
      table(tcp('192.0.2.1', 80, 'sh', { persistence: { timeout: 360 } })),
    );
  });

  it('drops flag-3 on sh/mh as ipvsadm -S does (the kernel keeps it, ipvsadm cannot print it)', () => {
    expect(one('-A -t 192.0.2.1:80 -s mh -b mh-port,flag-3').services[0]?.schedulerFlags).toEqual(['mh-port']);
    expect(one('-A -t 192.0.2.1:80 -s rr -b flag-3').services[0]?.schedulerFlags).toEqual(['flag-3']);
  });

  it('skips blank lines and accepts CRLF, tabs and extra spaces', () => {
    expect(one('\r\n  -A\t-u 192.0.2.31:53   -s rr  \r\n\n')).toEqual(table(udp('192.0.2.31', 53, 'rr')));
  });

  it('hands firewall-mark services and their destinations back verbatim, in order', () => {
    const text = '-A -f 1 -s rr\n-A -t 192.0.2.1:80 -s rr\n-a -f 1 -r 10.0.0.1:0 -g -w 1\n';
    expect(parseSave(text)).toEqual({
      table: table(tcp('192.0.2.1', 80, 'rr')),
      foreign: ['-A -f 1 -s rr', '-a -f 1 -r 10.0.0.1:0 -g -w 1'],
    });
  });

  it('an empty save is an empty table', () => {
    expect(parseSave('')).toEqual({ table: table(), foreign: [] });
  });
});

describe('parseSave: a SaveFormatError names the line and the token', () => {
  const S = '-A -t 192.0.2.1:80 -s rr\n';
  it.each([
    ['unknown option', S + '-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m --bogus', 2, '--bogus'],
    ['stray argument', '-A -t 192.0.2.1:80 -s rr extra', 1, 'extra'],
    ['a comment (ipvsadm -R rejects it)', '# saved table\n' + S, 1, '#'],
    ['no command', '-t 192.0.2.1:80 -s rr', 1, '-t'],
    ['two commands', '-A -a -t 192.0.2.1:80', 1, '-a'],
    ['a command that does not describe a table', S + '-E -t 192.0.2.1:80 -s wlc', 2, '-E'],
    ['a missing value', '-A -t 192.0.2.1:80 -s', 1, '-s'],
    ['weight twice', S + '-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 2 -w 3', 2, '-w'],
    ['two forwarding methods', S + '-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -g', 2, '-g'],
    ['an option of another command', '-A -t 192.0.2.1:80 -s rr -w 3', 1, '-w'],
    ['octal-looking IPv4 (inet_aton would read 042 as 34)', '-A -t 192.0.2.042:80 -s rr', 1, '192.0.2.042:80'],
    ['IPv6 without brackets', '-A -t 2001:db8::1:80 -s rr', 1, '2001:db8::1:80'],
    ['a port above 65535', '-A -t 192.0.2.1:65536 -s rr', 1, '192.0.2.1:65536'],
    ['a service name for a port', '-A -t 192.0.2.1:http -s rr', 1, '192.0.2.1:http'],
    ['a service without port', '-A -t 192.0.2.1 -s rr -p', 1, '192.0.2.1'],
    ['a negative weight', S + '-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w -1', 2, '-1'],
    ['a weight above INT_MAX', S + '-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 2147483648', 2, '2147483648'],
    ['a hex weight', S + '-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 0x10', 2, '0x10'],
    ['timeout 0', '-A -t 192.0.2.1:80 -s rr -p 0', 1, '0'],
    ['IPv4 netmask as prefix (inet_aton would read 0.0.0.16)', '-A -t 192.0.2.1:80 -s rr -p 10 -M 16', 1, '16'],
    ['IPv6 netmask 0 (ipvsadm: illegal ipv6 netmask)', '-A -t [2001:db8::1]:80 -s rr -p 10 -M 0', 1, '0'],
    ['IPv6 netmask as dotted quad', '-A -t [2001:db8::1]:80 -s rr -p 10 -M 255.255.255.0', 1, '255.255.255.0'],
    ["another scheduler's flag", '-A -t 192.0.2.1:80 -s rr -b sh-port', 1, 'sh-port'],
    ['an uppercase scheduler', '-A -t 192.0.2.1:80 -s RR', 1, 'RR'],
    ['--ops on TCP', '-A -t 192.0.2.1:80 -s rr -o', 1, '-o'],
    ['--pe (not supported)', '-A -u 192.0.2.1:5060 -s rr -p 10 --pe sip', 1, '--pe'],
    ['tunnel option on DR', S + '-a -t 192.0.2.1:80 -r 10.0.0.1:80 -g --tun-type ipip', 2, '--tun-type'],
    ['gue without port', S + '-a -t 192.0.2.1:80 -r 10.0.0.1:80 -i --tun-type gue', 2, '--tun-type'],
    ['checksum on ipip', S + '-a -t 192.0.2.1:80 -r 10.0.0.1:80 -i --tun-csum', 2, '--tun-csum'],
    ['remcsum on gre', S + '-a -t 192.0.2.1:80 -r 10.0.0.1:80 -i --tun-type gre --tun-remcsum', 2, '--tun-remcsum'],
    ['IPv6 real server under IPv4 NAT', S + '-a -t 192.0.2.1:80 -r [2001:db8::7]:80 -m', 2, '[2001:db8::7]:80'],
    [
      'destination before its service',
      '-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m',
      1,
      '-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m',
    ],
    ['service twice', S + S, 2, '-A -t 192.0.2.1:80 -s rr'],
    [
      'destination twice',
      S + '-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m\n-a -t 192.0.2.1:80 -r 10.0.0.1:80 -g',
      3,
      '-a -t 192.0.2.1:80 -r 10.0.0.1:80 -g',
    ],
    ['firewall-mark destination without service', '-a -f 7 -r 10.0.0.1:80 -m', 1, '-a -f 7 -r 10.0.0.1:80 -m'],
    ['firewall mark 0', '-A -f 0 -s rr', 1, '0'],
    ['-6 with an address service', '-A -t 192.0.2.1:80 -6 -s rr', 1, '-6'],
    ['quotes (not interpreted by ipvsadm -R)', '-A -t "192.0.2.1:80" -s rr', 1, '"192.0.2.1:80"'],
  ])('%s', (_what, text, lineNumber, token) => {
    let error: unknown;
    try {
      parseSave(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SaveFormatError);
    expect(error).toMatchObject({ lineNumber, token });
    expect((error as Error).message).toContain(`line ${lineNumber}:`);
    expect((error as Error).message).toContain(JSON.stringify(token));
  });
});
