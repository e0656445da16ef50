// One line of keepalived's notify_fifo, parsed. Pure.
//
// keepalived 2.2.7 writes `TYPE "NAME" STATE PRIORITY\n` (printf "%s \"%s\" %s %d\n"), e.g.
//   INSTANCE "VI_10" BACKUP 150
//   INSTANCE "VI_10" MASTER 150
//   INSTANCE "VI_10" STOP 200
// TYPE is INSTANCE or GROUP (a vrrp_sync_group); the checker (not run: --vrrp) would write VS/RS
// lines, which are ignored here. STATE is MASTER, BACKUP, FAULT or STOP, or one of the events
// MASTER_RX_LOWER_PRI (a master heard a lower priority: it is still master), MASTER_PRIORITY and
// BACKUP_PRIORITY (priority changed, with notify_priority_changes), DELETED (the instance left the
// config on a reload, newer keepalived) or "{UNKNOWN}".
import type { VrrpState } from '../../../core/api/vrrp.js';

export interface NotifyFifoLine {
  type: 'INSTANCE' | 'GROUP';
  name: string;
  /** The state the line implies (an event keeps the state it happened in). */
  state: VrrpState;
  /** The word keepalived wrote (MASTER_RX_LOWER_PRI, DELETED, ...). */
  event: string;
  priority: number;
}

const LINE = /^(INSTANCE|GROUP) "(.+)" (\S+) (-?\d+)$/;

const STATE_OF_EVENT: Readonly<Record<string, VrrpState>> = {
  MASTER: 'MASTER',
  BACKUP: 'BACKUP',
  FAULT: 'FAULT',
  STOP: 'STOP',
  MASTER_RX_LOWER_PRI: 'MASTER',
  MASTER_PRIORITY: 'MASTER',
  BACKUP_PRIORITY: 'BACKUP',
  DELETED: 'STOP',
};

/** The parsed line, or undefined for a line that is not about a VRRP instance or group. */
export function parseNotifyFifoLine(line: string): NotifyFifoLine | undefined {
  const match = LINE.exec(line.trimEnd());
  if (!match) return undefined;
  const [, type, name, event, priority] = match as unknown as [string, 'INSTANCE' | 'GROUP', string, string, string];
  return { type, name, state: STATE_OF_EVENT[event] ?? 'UNKNOWN', event, priority: Number(priority) };
}
