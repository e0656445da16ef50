// The controller's memo of checked objects (ValidationMemo): an object version (resourceVersion)
// is checked once; a new version, or an object without one, is checked again; what a pass did not
// ask for is forgotten at the sweep; what is remembered cannot be changed by a reader.
import { describe, expect, it } from 'vitest';
import type { ManifestObject, VirtualService } from '../../../src/core/api/objects.js';
import { ValidationMemo, validateObjects } from '../../../src/core/api/validate/index.js';
import { planKeepingLastGood } from '../../../src/core/plan/last-good.js';
import { directors, rs, vs } from './builders.js';

/** An object as the API server serves it: with a uid and a resourceVersion. */
function versioned<T extends ManifestObject>(object: T, resourceVersion: string): T {
  return { ...object, metadata: { ...object.metadata, uid: `uid-${object.metadata.name}`, resourceVersion } };
}

const messages = (r: ReturnType<typeof validateObjects>) => r.errors.map((e) => `${e.field}: ${e.message}`);

describe('ValidationMemo', () => {
  it('gives the same checked copy for the same version, and checks a new version again', () => {
    const memo = new ValidationMemo();
    const web = versioned(vs('web'), '100');
    const first = validateObjects([...directors(), web], memo).valid.virtualServices[0]!;
    const again = validateObjects([...directors(), { ...web }], memo).valid.virtualServices[0]!;
    expect(again).toBe(first); // the same version, another object from the informer: not checked again
    const broken = versioned(vs('web', { port: 70000 }), '101');
    const result = validateObjects([...directors(), broken], memo);
    expect(result.valid.virtualServices).toEqual([]);
    expect(messages(result)).toContainEqual(expect.stringMatching(/^spec\.port: /));
  });

  it('checks objects without a resourceVersion (manifest files) every time', () => {
    const memo = new ValidationMemo();
    const web = vs('web');
    expect(validateObjects([...directors(), web], memo).valid.virtualServices).toHaveLength(1);
    (web.spec as { port: number }).port = 0; // the same object, edited: nothing remembered it
    expect(validateObjects([...directors(), web], memo).valid.virtualServices).toEqual([]);
    expect(memo.size).toBe(0);
  });

  it('forgets at the sweep the versions a pass did not ask for', () => {
    const memo = new ValidationMemo();
    const web = versioned(vs('web'), '1');
    const mail = versioned(vs('mail', { address: '192.0.2.11', port: 25 }), '2');
    validateObjects([...directors(), web, mail], memo);
    memo.sweep();
    expect(memo.size).toBe(2);
    validateObjects([...directors(), web], memo);
    memo.sweep();
    expect(memo.size).toBe(1);
  });

  it('hands out frozen copies: a reader cannot change what the next pass gets', () => {
    const memo = new ValidationMemo();
    const checked = validateObjects([...directors(), versioned(vs('web'), '7')], memo).valid.virtualServices[0]!;
    expect(() => {
      (checked.spec as { port: number }).port = 81;
    }).toThrow(TypeError);
  });

  it('plans the same with and without the memo, the cross-object checks included', () => {
    const objects: ManifestObject[] = [
      ...directors(),
      versioned(vs('web'), '1'),
      versioned(rs('a', { address: '198.51.100.1' }), '2'),
      versioned(rs('orphan', { virtualServiceName: 'missing', address: '198.51.100.2' }), '3'),
    ];
    const memo = new ValidationMemo();
    const plain = planKeepingLastGood({ objects, lastGood: new Map() });
    for (let pass = 0; pass < 2; pass++) {
      const memoised = planKeepingLastGood({ objects, lastGood: new Map(), memo });
      expect(memoised.result.nodes).toEqual(plain.result.nodes);
      expect(memoised.errors).toEqual(plain.errors);
      expect(memoised.errors.map((e) => e.object)).toContain('RealServer default/orphan');
    }
    const web = objects[2] as VirtualService;
    expect(web.metadata.resourceVersion).toBe('1');
  });
});
