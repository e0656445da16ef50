// Invalid health-check urls for invalid-objects.test.ts: status codes and ranges, digests, paths,
// and the urls list set beside the single path, host and expectedStatus it replaces.
import type { Case } from './invalid-cases.js';
import { rs, vs } from './builders.js';

const DIGEST = '9e107d9d372bb6826bd81d3542a419d6';
const badVs = (healthCheck: Record<string, unknown>) =>
  vs('bad', { address: '192.0.2.30', healthCheck: { type: 'HTTP', ...healthCheck } });
const badRs = (healthCheck: Record<string, unknown>) =>
  rs('bad', { address: '198.51.100.9', healthCheck: { type: 'HTTP', ...healthCheck } as never });
const url = (extra: Record<string, unknown>) => ({ urls: [{ path: '/ok' }, { path: '/ready', ...extra }] });
const STATUS = 'spec.healthCheck.urls[1].expectedStatus[0]';

export const urlCases: Case[] = [
  ...(
    [
      ['a range running high to low', '299-200', 'low to high'],
      ['a code above 599', '600', 'pattern'],
      ['a code below 100', '099', 'pattern'],
      ['a range ending above 599', '200-600', 'pattern'],
      ['a code of two digits', '20', 'pattern'],
      ['a code with a blank', '200 ', 'pattern'],
      ['two codes in one word', '200,301', 'pattern'],
      ['an open range', '200-', 'pattern'],
      ['a 2xx wildcard', '2xx', 'pattern'],
    ] as const
  ).map(([what, code, says]) => ({
    name: `expectedStatus ${what} (${code})`,
    object: badVs(url({ expectedStatus: [code] })),
    field: STATUS,
    value: code,
    says,
  })),
  {
    name: 'expectedStatus as a number in a url',
    object: badVs(url({ expectedStatus: [200] })),
    field: STATUS,
    value: 200,
    says: 'string',
  },
  {
    name: 'expectedStatus an empty list',
    object: badVs(url({ expectedStatus: [] })),
    field: 'spec.healthCheck.urls[1].expectedStatus',
    value: [],
  },
  {
    name: 'digest in capitals',
    object: badVs(url({ digest: DIGEST.toUpperCase() })),
    field: 'spec.healthCheck.urls[1].digest',
    value: DIGEST.toUpperCase(),
  },
  {
    name: 'digest one digit short',
    object: badVs(url({ digest: DIGEST.slice(1) })),
    field: 'spec.healthCheck.urls[1].digest',
    value: DIGEST.slice(1),
  },
  {
    name: 'digest not hex',
    object: badVs(url({ digest: DIGEST.replace('9', 'g') })),
    field: 'spec.healthCheck.urls[1].digest',
    value: DIGEST.replace('9', 'g'),
  },
  {
    name: 'url path without a slash',
    object: badVs({ urls: [{ path: 'ready' }] }),
    field: 'spec.healthCheck.urls[0].path',
    value: 'ready',
  },
  {
    name: 'url without a path',
    object: badVs({ urls: [{ host: 'www.example.com' }] }),
    field: 'spec.healthCheck.urls[0].path',
    value: undefined,
    says: 'required',
  },
  { name: 'urls an empty list', object: badVs({ urls: [] }), field: 'spec.healthCheck.urls', value: [] },
  {
    name: 'urls with path beside them',
    object: badVs({ path: '/old', urls: [{ path: '/ok' }] }),
    field: 'spec.healthCheck.urls',
    value: [{ path: '/ok' }],
    says: 'urls replaces path, host and expectedStatus',
  },
  {
    name: 'RealServer urls with expectedStatus beside them',
    object: badRs({ expectedStatus: 204, urls: [{ path: '/ok' }] }),
    field: 'spec.healthCheck.urls',
    value: [{ path: '/ok' }],
    says: 'urls replaces path, host and expectedStatus',
  },
  {
    name: 'RealServer url range running high to low',
    object: badRs({ urls: [{ path: '/ok', expectedStatus: ['200', '302-301'] }] }),
    field: 'spec.healthCheck.urls[0].expectedStatus[1]',
    value: '302-301',
    says: 'low to high',
  },
  {
    name: 'RealServer url digest too long',
    object: badRs({ urls: [{ path: '/ok', digest: `${DIGEST}0` }] }),
    field: 'spec.healthCheck.urls[0].digest',
    value: `${DIGEST}0`,
  },
];
