// The agent-side IPVS convergence over the interface, with the in-memory IPVS.
import { describe, expect, it } from 'vitest';
import { renderSave } from '../../../src/core/ipvs/save-format.js';
import { connectionCounts, IpvsConverger } from '../../../src/node/ipvs/converge.js';
import { FakeIpvs } from '../../../src/node/ipvs/fake.js';
import { dr, nat, table, tcp } from '../ipvs/builders.js';

const web = (weight = 1) => tcp('192.0.2.100', 80, 'rr', {}, [dr('10.0.0.1', 80, weight), dr('10.0.0.2', 80)]);
const foreign = tcp('10.96.0.1', 443, 'rr', {}, [nat('10.0.0.5', 6443)]);

function setup() {
  const ipvs = new FakeIpvs();
  ipvs.table = table(foreign);
  return { ipvs, converger: new IpvsConverger(ipvs) };
}

describe('IpvsConverger', () => {
  it('an observing pass reads, applies one batch, and reads again; others are left alone', async () => {
    const { ipvs, converger } = setup();
    const result = await converger.converge(table(web()), new Set());
    expect(ipvs.calls).toEqual(['services', 'apply', 'services']);
    expect(result.applied).toEqual([
      '-A -t 192.0.2.100:80 -s rr',
      '-a -t 192.0.2.100:80 -r 10.0.0.1:80 -g -w 1',
      '-a -t 192.0.2.100:80 -r 10.0.0.2:80 -g -w 1',
    ]);
    expect(result).toMatchObject({ failed: [], errors: [] });
    expect(renderSave(result.actual)).toBe(renderSave(table(foreign, web())));
  });

  it('a pass that does not observe trusts the known table and simulates its batch', async () => {
    const { ipvs, converger } = setup();
    await converger.converge(table(web()), new Set());
    ipvs.calls.length = 0;
    const result = await converger.converge(table(web(5)), new Set(), undefined, false);
    expect(ipvs.calls).toEqual(['apply']);
    expect(result.applied).toEqual(['-e -t 192.0.2.100:80 -r 10.0.0.1:80 -g -w 5']);
    expect(renderSave(result.actual)).toBe(renderSave(ipvs.table));
  });

  it('meets drift without observing: an operation fails, so it observes and applies again', async () => {
    const { ipvs, converger } = setup();
    await converger.converge(table(web()), new Set());
    ipvs.table = table(foreign); // someone deleted our service
    const result = await converger.converge(table(web(5)), new Set(), undefined, false);
    expect(result.failed).toEqual([]);
    expect(renderSave(ipvs.table)).toBe(renderSave(table(foreign, web(5))));
  });

  it('names the services of ours that another program deleted since the last pass, and adds them back', async () => {
    const { ipvs, converger } = setup();
    const mail = tcp('192.0.2.101', 25, 'rr', {}, [dr('10.0.0.1', 25)]);
    const owned = new Set(['TCP/192.0.2.100:80', 'TCP/192.0.2.101:25']);
    const first = await converger.converge(table(web(), mail), owned);
    expect(first.removedElsewhere).toEqual([]);
    ipvs.table = table(foreign, mail); // kube-proxy's IPVS sync deleted web
    const result = await converger.converge(table(web(), mail), owned);
    expect(result.removedElsewhere).toEqual(['TCP/192.0.2.100:80']);
    expect(renderSave(ipvs.table)).toBe(renderSave(table(foreign, web(), mail)));
    // the same, met by a pass that did not observe: its batch (a weight) fails, it observes and says so
    ipvs.table = table(foreign, web());
    const heavier = tcp('192.0.2.101', 25, 'rr', {}, [dr('10.0.0.1', 25, 3)]);
    const trusted = await converger.converge(table(web(), heavier), owned, undefined, false);
    expect(trusted.removedElsewhere).toEqual(['TCP/192.0.2.101:25']);
    expect(renderSave(ipvs.table)).toBe(renderSave(table(foreign, web(), heavier)));
  });

  it('does not count as deleted elsewhere what it deleted itself, what it no longer wants, or others` services', async () => {
    const { ipvs, converger } = setup();
    const owned = new Set(['TCP/192.0.2.100:80']);
    await converger.converge(table(web()), owned);
    const dropped = await converger.converge(table(), owned); // ours, no longer wanted: deleted by us
    expect(dropped.removedElsewhere).toEqual([]);
    await converger.converge(table(web()), owned);
    ipvs.table = table(web()); // kube-proxy's own service went: not ours
    expect((await converger.converge(table(web()), owned)).removedElsewhere).toEqual([]);
    ipvs.table = table(); // ours went, but the plan dropped it meanwhile
    expect((await converger.converge(table(), owned)).removedElsewhere).toEqual([]);
  });

  it('reports what did not take, with the operations` errors once each', async () => {
    const { ipvs, converger } = setup();
    ipvs.refuse = (op) => op.kind === 'add-destination' && 'Memory allocation problem';
    const result = await converger.converge(table(web()), new Set());
    expect(result.failed).toEqual([
      '-a -t 192.0.2.100:80 -r 10.0.0.1:80 -g -w 1',
      '-a -t 192.0.2.100:80 -r 10.0.0.2:80 -g -w 1',
    ]);
    expect(result.errors).toEqual(['Memory allocation problem']);
  });

  it('deletes an owned service no longer desired, never one it does not own', async () => {
    const { ipvs, converger } = setup();
    await converger.converge(table(web()), new Set());
    await converger.converge(table(), new Set(['TCP/192.0.2.100:80']));
    expect(renderSave(ipvs.table)).toBe(renderSave(table(foreign)));
  });

  it('lets the drain policy adjust the desired table once the actual one is known', async () => {
    const { ipvs, converger } = setup();
    await converger.converge(table(web()), new Set());
    const seen: string[] = [];
    const only2 = tcp('192.0.2.100', 80, 'rr', {}, [dr('10.0.0.2', 80)]);
    await converger.converge(table(only2), new Set(), async (actual) => {
      seen.push(renderSave(actual));
      return table(web(0)); // keep 10.0.0.1 at weight 0 while it drains
    });
    expect(seen).toEqual([renderSave(table(foreign, web()))]);
    expect(renderSave(ipvs.table)).toContain('-r 10.0.0.1:80 -g -w 0');
  });

  it('compares thresholds when the implementation reads them', async () => {
    const { ipvs, converger } = setup();
    const limited = tcp('192.0.2.100', 80, 'rr', {}, [dr('10.0.0.1', 80, 1, { upperThreshold: 10 })]);
    await converger.converge(table(tcp('192.0.2.100', 80, 'rr', {}, [dr('10.0.0.1', 80)])), new Set());
    const result = await converger.converge(table(limited), new Set());
    expect(result.applied).toEqual(['-e -t 192.0.2.100:80 -r 10.0.0.1:80 -g -w 1 -x 10']);
    expect(ipvs.table.services[1]!.destinations[0]!.upperThreshold).toBe(10);
  });
});

describe('connectionCounts', () => {
  it('active + inactive per drainKey', async () => {
    const { ipvs, converger } = setup();
    await converger.converge(table(web()), new Set());
    ipvs.connectionsNow.set('TCP/192.0.2.100:80 10.0.0.1:80', { active: 2, inactive: 3 });
    const counts = await connectionCounts(ipvs);
    expect(counts.get('TCP/192.0.2.100:80 10.0.0.1:80')).toBe(5);
    expect(counts.get('TCP/192.0.2.100:80 10.0.0.2:80')).toBe(0);
  });
});

describe('IpvsConverger, change by change', () => {
  const many = (weightOf3 = 1) =>
    Array.from({ length: 6 }, (_, i) =>
      tcp(`192.0.2.${10 + i}`, 80, 'rr', {}, [dr('10.0.0.1', 80, i === 3 ? weightOf3 : 1)]),
    );

  it('a pass that does not observe diffs only the service that changed', async () => {
    const { ipvs, converger } = setup();
    await converger.converge(table(...many()), new Set());
    ipvs.table = table(foreign, ...many().map((s, i) => (i === 5 ? { ...s, scheduler: 'wlc' } : s))); // drift elsewhere
    const result = await converger.converge(table(...many(4)), new Set(), undefined, false);
    expect(result.applied).toEqual(['-e -t 192.0.2.13:80 -r 10.0.0.1:80 -g -w 4']);
    expect(ipvs.batches.at(-1)!.length).toBe(1);
    // the drift in another service is the resync's to repair: the next observing pass does
    const resync = await converger.converge(table(...many(4)), new Set());
    expect(resync.applied).toEqual(['-E -t 192.0.2.15:80 -s rr']);
    expect(renderSave(ipvs.table)).toBe(renderSave(table(foreign, ...many(4))));
  });

  it('sends nothing when the plan is the same, and looks at a named service all the same', async () => {
    const { ipvs, converger } = setup();
    await converger.converge(table(...many()), new Set());
    const seen: string[] = [];
    const result = await converger.converge(
      table(...many()),
      new Set(),
      async (actual, wanted) => {
        seen.push(renderSave(actual), renderSave(wanted));
        return wanted;
      },
      false,
      ['TCP/192.0.2.12:80'],
    );
    expect(result.applied).toEqual([]);
    expect(seen).toEqual([renderSave(table(many()[2]!)), renderSave(table(many()[2]!))]);
    expect(renderSave(result.actual)).toBe(renderSave(ipvs.table)); // the whole table, as known
  });

  it('after a pass that did not fully take, the next change diffs the whole table', async () => {
    const { ipvs, converger } = setup();
    ipvs.refuse = (op) =>
      op.kind === 'add-destination' && op.service.address === '192.0.2.11' && 'No such file or directory';
    const first = await converger.converge(table(...many()), new Set());
    expect(first.failed).toEqual(['-a -t 192.0.2.11:80 -r 10.0.0.1:80 -g -w 1']);
    ipvs.refuse = () => false;
    const result = await converger.converge(table(...many(2)), new Set(), undefined, false);
    expect(result.applied).toEqual([
      '-a -t 192.0.2.11:80 -r 10.0.0.1:80 -g -w 1',
      '-e -t 192.0.2.13:80 -r 10.0.0.1:80 -g -w 2',
    ]);
    expect(renderSave(ipvs.table)).toBe(renderSave(table(foreign, ...many(2))));
  });
});
