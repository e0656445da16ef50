import { describe, expect, it } from 'vitest';
import { parseNotifyFifoLine } from '../../../src/node/dataplane/keepalived/notify-fifo-line.js';

describe('parseNotifyFifoLine', () => {
  // Captured from Debian's keepalived 2.2.7 (notify_fifo in global_defs, two directors in netns):
  // start as BACKUP, master-down timer, a SIGHUP reload that raised the priority to 200, SIGTERM.
  it.each([
    ['INSTANCE "VI_10" BACKUP 150', 'BACKUP', 150],
    ['INSTANCE "VI_10" MASTER 150', 'MASTER', 150],
    ['INSTANCE "VI_10" MASTER 200', 'MASTER', 200],
    ['INSTANCE "VI_10" STOP 200', 'STOP', 200],
  ] as const)('the real line %s', (line, state, priority) => {
    expect(parseNotifyFifoLine(line)).toEqual({ type: 'INSTANCE', name: 'VI_10', state, event: state, priority });
  });

  it('takes the trailing newline and a FAULT', () => {
    expect(parseNotifyFifoLine('INSTANCE "VI_1" FAULT 100\n')).toMatchObject({ name: 'VI_1', state: 'FAULT' });
  });

  // The other words keepalived's notify_fifo() can write (keepalived source, vrrp_notify.c).
  it.each([
    ['MASTER_RX_LOWER_PRI', 'MASTER'],
    ['MASTER_PRIORITY', 'MASTER'],
    ['BACKUP_PRIORITY', 'BACKUP'],
    ['DELETED', 'STOP'],
    ['{UNKNOWN}', 'UNKNOWN'],
    ['SOMETHING_NEW', 'UNKNOWN'],
  ] as const)('the event %s means %s', (event, state) => {
    expect(parseNotifyFifoLine(`INSTANCE "VI_2" ${event} 90`)).toEqual({
      type: 'INSTANCE',
      name: 'VI_2',
      state,
      event,
      priority: 90,
    });
  });

  it('a sync group line', () => {
    expect(parseNotifyFifoLine('GROUP "G1" MASTER 0')).toMatchObject({ type: 'GROUP', name: 'G1', state: 'MASTER' });
  });

  it('a name with blanks or quotes stays whole', () => {
    expect(parseNotifyFifoLine('INSTANCE "a "b" c" BACKUP 1')?.name).toBe('a "b" c');
  });

  it.each([
    '',
    'VS [192.0.2.100]:tcp:80 UP',
    'RS [192.0.2.11]:tcp:80 [192.0.2.100]:tcp:80 DOWN',
    'INSTANCE VI_1 MASTER 100',
    'INSTANCE "VI_1" MASTER',
    'garbage',
  ])('not a VRRP line: %j', (line) => {
    expect(parseNotifyFifoLine(line)).toBeUndefined();
  });
});
