// The table of invalid objects for invalid-objects.test.ts: each with the field and value its
// error must name. Bad objects have a VIP and real-server address of their own, so that the only
// reason to reject them is the one under test (they never clash with the valid neighbours).
import { expect } from 'vitest';
import type { ManifestObject } from '../../../src/core/api/objects.js';
import { node, rs, vs } from './builders.js';

export interface Case {
  name: string;
  object: ManifestObject;
  field: string;
  /** The value the error must report (undefined for "is required"). */
  value: unknown;
  /** A word the message must contain, so that the reason is the expected one. */
  says?: string;
}

const V6 = { address: '2001:db8::10' };

const badVs = (spec: Record<string, unknown>) => vs('bad', { address: '192.0.2.30', ...spec });
const badRs = (spec: Parameters<typeof rs>[1]) => rs('bad', { address: '198.51.100.9', ...spec });

export const cases: Case[] = [
  {
    name: 'bad IPv4 VIP',
    object: badVs({ address: '10.0.0.256' }),
    field: 'spec.address',
    value: '10.0.0.256',
    says: 'IPv4',
  },
  {
    name: 'bad IPv6 VIP',
    object: badVs({ address: '2001:db8::g' }),
    field: 'spec.address',
    value: '2001:db8::g',
    says: 'IPv6',
  },
  {
    name: 'IPv6 VIP with a zone',
    object: badVs({ address: 'fe80::1%eth0' }),
    field: 'spec.address',
    value: 'fe80::1%eth0',
  },
  {
    name: 'VIP missing',
    object: badVs({ address: undefined }),
    field: 'spec.address',
    value: undefined,
    says: 'required',
  },
  { name: 'port 0', object: badVs({ port: 0 }), field: 'spec.port', value: 0, says: '>= 1' },
  { name: 'port 70000', object: badVs({ port: 70000 }), field: 'spec.port', value: 70000, says: '<= 65535' },
  { name: 'port as a string', object: badVs({ port: '80' }), field: 'spec.port', value: '80', says: 'integer' },
  {
    name: 'unknown protocol',
    object: badVs({ protocol: 'ICMP' }),
    field: 'spec.protocol',
    value: 'ICMP',
    says: 'TCP, UDP, SCTP',
  },
  { name: 'unknown scheduler', object: badVs({ scheduler: 'random' }), field: 'spec.scheduler', value: 'random' },
  { name: 'unknown forwarding', object: badVs({ forwarding: 'FULLNAT' }), field: 'spec.forwarding', value: 'FULLNAT' },
  {
    name: 'misspelt field',
    object: badVs({ sheduler: 'rr' }),
    field: 'spec.sheduler',
    value: 'rr',
    says: 'unknown field',
  },
  { name: 'VRID 0', object: badVs({ vrrp: { virtualRouterID: 0 } }), field: 'spec.vrrp.virtualRouterID', value: 0 },
  {
    name: 'VRID 256',
    object: badVs({ vrrp: { virtualRouterID: 256 } }),
    field: 'spec.vrrp.virtualRouterID',
    value: 256,
  },
  { name: 'VRRP version 4', object: badVs({ vrrp: { version: 4 } }), field: 'spec.vrrp.version', value: 4 },
  {
    name: 'advertInterval 0',
    object: badVs({ vrrp: { advertInterval: 0 } }),
    field: 'spec.vrrp.advertInterval',
    value: 0,
  },
  {
    name: 'advertInterval 300',
    object: badVs({ vrrp: { version: 2, advertInterval: 300 } }),
    field: 'spec.vrrp.advertInterval',
    value: 300,
  },
  {
    name: 'version 3 with advertInterval 60',
    object: badVs({ vrrp: { advertInterval: 60 } }),
    field: 'spec.vrrp.advertInterval',
    value: 60,
    says: '40.95',
  },
  {
    name: 'version 2 with advertInterval 0.5',
    object: badVs({ vrrp: { version: 2, advertInterval: 0.5 } }),
    field: 'spec.vrrp.advertInterval',
    value: 0.5,
    says: 'version 2',
  },
  {
    name: 'version 2 with advertInterval 1.5',
    object: badVs({ vrrp: { version: 2, advertInterval: 1.5 } }),
    field: 'spec.vrrp.advertInterval',
    value: 1.5,
    says: 'whole',
  },
  {
    name: 'auth with version 3',
    object: badVs({ vrrp: { authSecretRef: { name: 's' } } }),
    field: 'spec.vrrp.authSecretRef',
    value: { name: 's', key: 'password' },
    says: 'version 2',
  },
  {
    name: 'auth without a Secret name',
    object: badVs({ vrrp: { version: 2, advertInterval: 1, authSecretRef: {} } }),
    field: 'spec.vrrp.authSecretRef.name',
    value: undefined,
  },
  {
    name: 'version 2 with an IPv6 VIP',
    object: badVs({ ...V6, vrrp: { version: 2, advertInterval: 1 } }),
    field: 'spec.vrrp.version',
    value: 2,
    says: 'IPv4 only',
  },
  {
    name: 'priority 255',
    object: badVs({ vrrp: { priorities: [{ node: 'lvs01', priority: 255 }] } }),
    field: 'spec.vrrp.priorities[0].priority',
    value: 255,
  },
  {
    name: 'priority 0',
    object: badVs({ vrrp: { priorities: [{ node: 'lvs01', priority: 0 }] } }),
    field: 'spec.vrrp.priorities[0].priority',
    value: 0,
  },
  {
    name: 'one node priced twice',
    object: badVs({
      vrrp: {
        priorities: [
          { node: 'lvs01', priority: 100 },
          { node: 'lvs01', priority: 90 },
        ],
      },
    }),
    field: 'spec.vrrp.priorities[1]',
    value: { node: 'lvs01', priority: 90 },
    says: 'duplicate',
  },
  {
    name: 'preemptDelay -1',
    object: badVs({ vrrp: { preemptDelay: -1 } }),
    field: 'spec.vrrp.preemptDelay',
    value: -1,
  },
  {
    name: 'sh flags with rr',
    object: badVs({ scheduler: 'rr', schedulerFlags: ['sh-port'] }),
    field: 'spec.schedulerFlags',
    value: ['sh-port'],
    says: 'scheduler',
  },
  {
    name: 'unknown scheduler flag',
    object: badVs({ scheduler: 'sh', schedulerFlags: ['sh-random'] }),
    field: 'spec.schedulerFlags[0]',
    value: 'sh-random',
  },
  {
    name: 'repeated scheduler flag',
    object: badVs({ scheduler: 'sh', schedulerFlags: ['sh-port', 'sh-port'] }),
    field: 'spec.schedulerFlags',
    value: ['sh-port', 'sh-port'],
    says: 'duplicate',
  },
  {
    name: 'persistence timeout 0',
    object: badVs({ persistence: { timeout: 0 } }),
    field: 'spec.persistence.timeout',
    value: 0,
  },
  {
    name: 'IPv6 VIP with a dotted netmask',
    object: badVs({ ...V6, persistence: { timeout: 60, netmask: '255.255.255.0' } }),
    field: 'spec.persistence.netmask',
    value: '255.255.255.0',
    says: 'prefix length',
  },
  {
    name: 'IPv4 VIP with a prefix length',
    object: badVs({ persistence: { timeout: 60, netmask: '24' } }),
    field: 'spec.persistence.netmask',
    value: '24',
    says: 'dotted',
  },
  {
    name: 'non-contiguous netmask',
    object: badVs({ persistence: { timeout: 60, netmask: '255.0.255.0' } }),
    field: 'spec.persistence.netmask',
    value: '255.0.255.0',
    says: 'contiguous',
  },
  {
    name: 'interface with a shell command',
    object: badVs({ directors: { interface: 'eth0; rm -rf /' } }),
    field: 'spec.directors.interface',
    value: 'eth0; rm -rf /',
  },
  {
    name: 'interface of 16 characters',
    object: badVs({ directors: { interface: 'abcdefghijklmnop' } }),
    field: 'spec.directors.interface',
    value: 'abcdefghijklmnop',
  },
  {
    name: 'selector label value unquoted true',
    object: badVs({ directors: { nodeSelector: { 'lvs-operator.io/director': true } } }),
    field: 'spec.directors.nodeSelector["lvs-operator.io/director"]',
    value: true,
  },
  {
    name: 'healthCheck.timeout > interval',
    object: badVs({ healthCheck: { interval: 2, timeout: 5 } }),
    field: 'spec.healthCheck.timeout',
    value: 5,
    says: 'interval',
  },
  {
    name: 'unknown check type',
    object: badVs({ healthCheck: { type: 'ICMP' } }),
    field: 'spec.healthCheck.type',
    value: 'ICMP',
  },
  {
    name: 'path without a slash',
    object: badVs({ healthCheck: { type: 'HTTP', path: 'health' } }),
    field: 'spec.healthCheck.path',
    value: 'health',
  },
  {
    name: 'path with a space',
    object: badVs({ healthCheck: { type: 'HTTP', path: '/a b' } }),
    field: 'spec.healthCheck.path',
    value: '/a b',
  },
  {
    name: 'expectedStatus 700',
    object: badVs({ healthCheck: { expectedStatus: 700 } }),
    field: 'spec.healthCheck.expectedStatus',
    value: 700,
  },
  { name: 'quorum minimum 0', object: badVs({ quorum: { minimum: 0 } }), field: 'spec.quorum.minimum', value: 0 },
  {
    name: 'sorry server not an IP',
    object: badVs({ sorryServer: { address: 'sorry.example' } }),
    field: 'spec.sorryServer.address',
    value: 'sorry.example',
  },
  {
    name: 'sorry server is the VIP',
    object: badVs({ sorryServer: { address: '192.0.2.30' } }),
    field: 'spec.sorryServer.address',
    value: '192.0.2.30',
  },
  {
    name: 'sorry server of the other family',
    object: badVs({ sorryServer: { address: '2001:db8::99' } }),
    field: 'spec.sorryServer.address',
    value: '2001:db8::99',
    says: 'IPv4',
  },
  {
    name: 'name with capitals',
    object: { ...badVs({}), metadata: { name: 'Bad_Name', namespace: 'default' } },
    field: 'metadata.name',
    value: 'Bad_Name',
  },
  {
    name: 'wrong apiVersion',
    object: { ...badVs({}), apiVersion: 'lvs-operator.io/v1' } as unknown as ManifestObject,
    field: 'apiVersion',
    value: 'lvs-operator.io/v1',
  },
  {
    name: 'metadata not a mapping',
    object: { ...badVs({}), metadata: 'web' } as unknown as ManifestObject,
    field: 'metadata',
    value: 'web',
  },
  { name: 'negative weight', object: badRs({ weight: -1 }), field: 'spec.weight', value: -1 },
  { name: 'weight 70000', object: badRs({ weight: 70000 }), field: 'spec.weight', value: 70000 },
  { name: 'real server port 0', object: badRs({ port: 0 }), field: 'spec.port', value: 0 },
  {
    name: 'empty virtualServiceName',
    object: badRs({ virtualServiceName: '' }),
    field: 'spec.virtualServiceName',
    value: '',
  },
  {
    name: 'both address and nodeName',
    object: badRs({ address: '198.51.100.1', nodeName: 'n1' }),
    field: 'spec',
    value: expectObject({ address: '198.51.100.1', nodeName: 'n1' }),
    says: 'exactly one',
  },
  {
    name: 'neither address nor nodeName',
    object: badRs({ address: undefined }),
    field: 'spec',
    value: expectObject({ virtualServiceName: 'web' }),
    says: 'exactly one',
  },
  {
    name: 'lowerThreshold > upperThreshold',
    object: badRs({ upperThreshold: 10, lowerThreshold: 20 }),
    field: 'spec.lowerThreshold',
    value: 20,
  },
  {
    name: 'override retries -1',
    object: badRs({ healthCheck: { retries: -1 } }),
    field: 'spec.healthCheck.retries',
    value: -1,
  },
  {
    name: 'real server address not an IP',
    object: badRs({ address: 'nginx01' }),
    field: 'spec.address',
    value: 'nginx01',
  },
  {
    name: 'real server is the VIP',
    object: badRs({ address: '192.0.2.10' }),
    field: 'spec.address',
    value: '192.0.2.10',
    says: 'virtual address',
  },
  {
    name: 'NAT real server is the VIP',
    object: badRs({ virtualServiceName: 'nat', address: '192.0.2.20' }),
    field: 'spec.address',
    value: '192.0.2.20',
    says: 'virtual address',
  },
  {
    name: 'Node InternalIP not an IP',
    object: node('bad', ['lvs03.example']),
    field: 'status.addresses[0].address',
    value: 'lvs03.example',
  },
  {
    name: 'Secret data not base64',
    object: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bad', namespace: 'default' },
      data: { password: '1111!' },
    },
    field: 'data.password',
    value: '1111!',
    says: 'base64',
  },
];

function expectObject(fields: Record<string, unknown>): unknown {
  return expect.objectContaining(fields);
}
