// The rule the controller and local mode share for bad input: an object keeps its last valid
// version while it is present but invalid, or while what it came from cannot be read; a deleted
// object goes with its last valid version; a kept version that clashes with today's objects is not
// kept. Each case is seen as a user sees it: what is planned, and what is reported.
import { describe, expect, it } from 'vitest';
import type { ManifestObject } from '../../../src/core/api/objects.js';
import { formatError } from '../../../src/core/api/validate/errors.js';
import {
  lastGoodKey,
  planKeepingLastGood,
  validateKeepingLastGood,
  type CheckedKeepingLastGood,
} from '../../../src/core/plan/last-good.js';
import { director, realServer, virtualService } from './builders.js';

const nodes = [director('lvs01', '192.0.2.11'), director('lvs02', '192.0.2.12')];
const web = virtualService('web', { address: '192.0.2.100', port: 80 });
const webBroken = virtualService('web', { address: '192.0.2.100', port: 70000 });
const nginx = realServer('nginx01', 'web', { address: '192.0.2.21' });

const planned = (c: CheckedKeepingLastGood) =>
  c.valid.virtualServices.map((vs) => `${vs.metadata.name}:${vs.spec.port}`);
const keptKeys = (c: CheckedKeepingLastGood) => c.kept.map(lastGoodKey).sort();
const messages = (c: CheckedKeepingLastGood) => c.errors.map(formatError).join('\n');

/** Two passes: the first over `before` (all valid), the second over `after`. */
function secondPass(before: ManifestObject[], after: ManifestObject[], unreadable?: (o: ManifestObject) => boolean) {
  const first = validateKeepingLastGood({ objects: before, lastGood: new Map() });
  expect(first.kept).toEqual([]);
  expect(first.errors.filter((e) => e.severity === 'error')).toEqual([]);
  return validateKeepingLastGood({ objects: after, lastGood: first.lastGood, unreadable });
}

describe('validate, keep the last good version, plan', () => {
  it('hands every valid object on as the last good versions of the next pass', () => {
    const first = validateKeepingLastGood({ objects: [...nodes, web, nginx], lastGood: new Map() });
    expect([...first.lastGood.keys()].sort()).toEqual([...nodes, web, nginx].map(lastGoodKey).sort());
    expect(first.lastGood.get(lastGoodKey(web))).toMatchObject({ spec: web.spec });
  });

  it('an object that turns invalid is planned as its last valid version, and its error is reported', () => {
    const second = secondPass([...nodes, web, nginx], [...nodes, webBroken, nginx]);
    expect(planned(second)).toEqual(['web:80']);
    // its RealServer, valid itself, names a VirtualService that is invalid now: kept too
    expect(keptKeys(second)).toEqual([lastGoodKey(nginx), lastGoodKey(web)]);
    expect(messages(second)).toMatch(/spec\.port.*70000/);
    // and it stays kept on the pass after, for as long as it is invalid
    const third = validateKeepingLastGood({ objects: [...nodes, webBroken, nginx], lastGood: second.lastGood });
    expect(planned(third)).toEqual(['web:80']);
    expect(keptKeys(third)).toEqual(keptKeys(second));
  });

  it('an object that is fixed replaces its kept version', () => {
    const second = secondPass([...nodes, web, nginx], [...nodes, webBroken, nginx]);
    const web8080 = virtualService('web', { address: '192.0.2.100', port: 8080 });
    const nginx8080 = realServer('nginx01', 'web', { address: '192.0.2.21', port: 8080 });
    const third = validateKeepingLastGood({ objects: [...nodes, web8080, nginx8080], lastGood: second.lastGood });
    expect(planned(third)).toEqual(['web:8080']);
    expect(third.kept).toEqual([]);
  });

  it('a deleted object goes, with its last valid version', () => {
    const second = secondPass([...nodes, web, nginx], [...nodes, nginx]);
    expect(planned(second)).toEqual([]);
    expect(second.kept).toEqual([]);
    expect(second.lastGood.has(lastGoodKey(web))).toBe(false);
  });

  it('an object whose source cannot be read keeps its last valid version, though it is not among the objects', () => {
    const fromTheBrokenFile = (o: ManifestObject) => lastGoodKey(o) === lastGoodKey(web);
    const second = secondPass([...nodes, web, nginx], [...nodes, nginx], fromTheBrokenFile);
    expect(planned(second)).toEqual(['web:80']);
    // its RealServer is read, but names a VirtualService not read this time: kept too
    expect(keptKeys(second)).toEqual([lastGoodKey(nginx), lastGoodKey(web)]);
  });

  it('a kept version that clashes with an object of today is not kept, and is forgotten', () => {
    // `a` sorts before `web`, so of the two on 192.0.2.100:80 it is the one that stays
    const a = virtualService('a', { address: '192.0.2.100', port: 80 });
    const second = secondPass([...nodes, web, nginx], [...nodes, a, webBroken, nginx]);
    expect(planned(second)).toEqual(['a:80']);
    expect(second.kept).toEqual([]);
    expect(second.lastGood.has(lastGoodKey(web))).toBe(false);
  });

  it('plans what it keeps', () => {
    const first = planKeepingLastGood({ objects: [...nodes, web, nginx], lastGood: new Map() });
    const second = planKeepingLastGood({ objects: [...nodes, webBroken, nginx], lastGood: first.lastGood });
    expect(second.result.problems).toEqual([]);
    expect(second.result.nodes).toEqual(first.result.nodes);
  });
});
