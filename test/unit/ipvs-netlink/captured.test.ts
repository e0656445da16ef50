// Byte-level tests against the real kernel without one: test/golden/ipvs-netlink holds the
// datagrams NetlinkIpvs exchanged with Debian's 6.1 kernel in the VM (test/e2e/ipvs-netlink,
// main.ts), scenario by scenario. Replaying a scenario here checks that every byte sent is
// still what the kernel was sent, and that the kernel's replies still read as they did there
// (the outcome recorded in the VM). Regenerate: see test/e2e/ipvs-netlink/main.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  GENL_ID_CTRL,
  IP_VS_SVC_F_HASHED,
  IPVS_CMD,
  IPVS_CMD_ATTR,
  IPVS_SVC_ATTR,
} from '../../../src/core/ipvs/netlink/constants.js';
import { decodeService } from '../../../src/core/ipvs/netlink/decode.js';
import { decodeAttrs, decodeGenl, decodeMessages, NLMSG_ERROR } from '../../../src/core/ipvs/netlink/wire.js';
import { NetlinkIpvs, type NetlinkTransport } from '../../../src/node/ipvs/netlink.js';
import { SCENARIOS, type Capture, type Exchange } from '../../e2e/ipvs-netlink/scenarios.js';

const dir = fileURLToPath(new URL('../../golden/ipvs-netlink/', import.meta.url));
const captures: Capture[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Capture);

/** Plays the kernel's side of a recording; fails on the first datagram sent that differs from the recorded one. */
class ReplayTransport implements NetlinkTransport {
  private next = 0;
  constructor(private readonly exchanges: readonly Exchange[]) {}
  private take(dir: Exchange['dir']): Exchange {
    const e = this.exchanges[this.next++];
    if (!e || e.dir !== dir)
      throw new Error(`exchange ${this.next - 1}: expected a ${dir}, the recording has ${e?.dir ?? 'nothing'}`);
    return e;
  }
  send(datagram: Buffer): void {
    expect(datagram.toString('hex'), `datagram ${this.next} sent`).toBe(this.take('send').hex);
  }
  recv(): Buffer {
    return Buffer.from(this.take('recv').hex, 'hex');
  }
  close(): void {}
  get done(): boolean {
    return this.next === this.exchanges.length;
  }
}

describe('NetlinkIpvs against datagrams captured from the real kernel', () => {
  it('has a capture of every scenario', () => {
    expect(captures.map((c) => c.scenario).sort()).toEqual(Object.keys(SCENARIOS).sort());
  });

  for (const capture of captures) {
    it(`${capture.scenario}: sends the same bytes and reads the same outcome (kernel ${capture.kernel})`, async () => {
      const replay = new ReplayTransport(capture.exchanges);
      const ipvs = new NetlinkIpvs({
        batchSize: capture.batchSize,
        firstSeq: capture.firstSeq,
        open: () => replay,
        yieldToLoop: async () => {},
      });
      const outcome = await SCENARIOS[capture.scenario]!(ipvs);
      expect(JSON.parse(JSON.stringify(outcome))).toEqual(capture.outcome);
      expect(replay.done).toBe(true);
    });
  }
});

describe('what the kernel really sends', () => {
  const dump = captures.find((c) => c.scenario === 'services')!;
  const replies = dump.exchanges
    .filter((e) => e.dir === 'recv')
    .flatMap((e) => decodeMessages(Buffer.from(e.hex, 'hex')));
  const serviceReplies = replies.filter(
    (m) =>
      m.type !== NLMSG_ERROR &&
      m.type !== GENL_ID_CTRL &&
      m.payload.length > 4 &&
      decodeGenl(m.payload).cmd === IPVS_CMD.NEW_SERVICE &&
      decodeGenl(m.payload).attrs.has(IPVS_CMD_ATTR.SERVICE),
  );
  const serviceAttrs = serviceReplies.map((m) => decodeAttrs(decodeGenl(m.payload).attrs.get(IPVS_CMD_ATTR.SERVICE)!));

  it('sets the HASHED flag on dumped services, which services() masks off', () => {
    const flags = serviceAttrs.map((a) => a.get(IPVS_SVC_ATTR.FLAGS)!.readUInt32LE(0));
    expect(flags.length).toBeGreaterThan(0);
    expect(flags.every((f) => (f & IP_VS_SVC_F_HASHED) !== 0)).toBe(true);
  });

  it('dumps the firewall-mark service, which decodeService leaves out', () => {
    const fwmark = serviceReplies.filter((m) =>
      decodeAttrs(decodeGenl(m.payload).attrs.get(IPVS_CMD_ATTR.SERVICE)!).has(IPVS_SVC_ATTR.FWMARK),
    );
    expect(fwmark.map((m) => decodeService(m.payload))).toEqual([undefined]);
  });
});
