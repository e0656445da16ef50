// renderSave against what the REAL `ipvsadm -S -n` printed for the same tables
// (test/golden/ipvs/*.save, captured in the lab VM by test/golden/ipvs/capture.sh).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalTable } from '../../../src/core/ipvs/canonical.js';
import type { IpvsTable } from '../../../src/core/ipvs/model.js';
import { parseSave, renderSave } from '../../../src/core/ipvs/save-format.js';
import { GOLDEN_TABLES } from './golden-tables.js';

const golden = (name: string): string =>
  readFileSync(new URL(`../../golden/ipvs/${name}.save`, import.meta.url), 'utf8');

function withoutThresholds(t: IpvsTable): IpvsTable {
  return {
    services: t.services.map((s) => ({
      ...s,
      destinations: s.destinations.map(({ upperThreshold: _u, lowerThreshold: _l, ...d }) => d),
    })),
  };
}

describe('renderSave prints exactly what ipvsadm -S -n prints', () => {
  it.each(['basic', 'persistence', 'tun', 'ipv6', 'flags', 'order', 'ops'])('%s.save', (name) => {
    expect(renderSave(GOLDEN_TABLES[name] as IpvsTable)).toBe(golden(name));
  });

  it('fwmark.save: our services, then the firewall-mark lines handed back verbatim', () => {
    const { foreign } = parseSave(golden('fwmark'));
    expect(foreign).toEqual([
      '-A -f 1 -s rr',
      '-a -f 1 -r 10.1.0.101:80 -m -w 1',
      '-a -f 1 -r 10.1.0.102:0 -g -w 1',
      '-A -f 2 -6 -s wlc -p 300 -M 64',
      '-a -f 2 -6 -r [2001:db8::102]:80 -m -w 1',
    ]);
    expect(renderSave(GOLDEN_TABLES.fwmark as IpvsTable) + foreign.map((l) => l + '\n').join('')).toBe(
      golden('fwmark'),
    );
  });

  it('thresholds.save: ipvsadm -S drops -x/-y; we print them, otherwise byte-equal', () => {
    const t = GOLDEN_TABLES.thresholds as IpvsTable;
    expect(renderSave(withoutThresholds(t))).toBe(golden('thresholds'));
    expect(renderSave(t)).toBe(
      golden('thresholds')
        .replace('10.1.0.91:80 -m -w 5', '10.1.0.91:80 -m -w 5 -x 100 -y 50')
        .replace('10.1.0.92:80 -m -w 1', '10.1.0.92:80 -m -w 1 -x 10'),
    );
  });

  it('sortquirk.save: same lines; ipvsadm orders far-apart addresses by a wrapping int difference, we numerically', () => {
    const real = golden('sortquirk');
    const ours = renderSave(GOLDEN_TABLES.sortquirk as IpvsTable);
    // The real order differs from capture to capture (it follows the kernel's hash order).
    expect(ours.split('\n').sort()).toEqual(real.split('\n').sort());
    expect(ours.split('\n').filter((l) => l.startsWith('-A'))).toEqual([
      '-A -t 1.0.0.1:80 -s rr',
      '-A -t 100.0.0.1:80 -s rr',
      '-A -t 129.0.0.1:80 -s rr',
      '-A -t 200.0.0.1:80 -s rr',
      '-A -t 250.0.0.1:80 -s rr',
      '-A -t [2001:db8::1]:80 -s rr',
      '-A -t [2001:db8:1::1]:80 -s rr',
      '-A -t [2001:db8:ffff::1]:80 -s rr',
      '-A -t [fd00::1]:80 -s rr',
    ]);
  });
});

describe('parseSave reads the real output back into the same table', () => {
  it.each(Object.keys(GOLDEN_TABLES).filter((n) => n !== 'thresholds'))('%s.save', (name) => {
    expect(parseSave(golden(name)).table).toEqual(canonicalTable(GOLDEN_TABLES[name] as IpvsTable));
  });

  it('thresholds.save reads back without thresholds (the save format has none)', () => {
    expect(parseSave(golden('thresholds')).table).toEqual(
      canonicalTable(withoutThresholds(GOLDEN_TABLES.thresholds as IpvsTable)),
    );
  });

  it.each(Object.keys(GOLDEN_TABLES).filter((n) => n !== 'fwmark'))('%s.save has no foreign lines', (name) => {
    expect(parseSave(golden(name)).foreign).toEqual([]);
  });
});
