// What the kernel's NLMSG_ERROR says about one IPVS request, in words: the errno's name (so logs
// and tests can match it) and what it means for that operation, in ipvsadm's words where it had
// some (libipvs ipvs_strerror). Pure.
import type { IpvsOperation } from '../operations.js';

/** Linux errno numbers (asm-generic/errno-base.h, errno.h) that netlink and IPVS answer with. */
const ERRNO: Record<number, [name: string, text: string]> = {
  1: ['EPERM', 'Operation not permitted'],
  2: ['ENOENT', 'No such file or directory'],
  3: ['ESRCH', 'No such process'],
  4: ['EINTR', 'Interrupted system call'],
  5: ['EIO', 'Input/output error'],
  7: ['E2BIG', 'Argument list too long'],
  11: ['EAGAIN', 'Resource temporarily unavailable'],
  12: ['ENOMEM', 'Cannot allocate memory'],
  13: ['EACCES', 'Permission denied'],
  16: ['EBUSY', 'Device or resource busy'],
  17: ['EEXIST', 'File exists'],
  19: ['ENODEV', 'No such device'],
  22: ['EINVAL', 'Invalid argument'],
  28: ['ENOSPC', 'No space left on device'],
  34: ['ERANGE', 'Numerical result out of range'],
  90: ['EMSGSIZE', 'Message too long'],
  92: ['ENOPROTOOPT', 'Protocol not available'],
  93: ['EPROTONOSUPPORT', 'Protocol not supported'],
  95: ['EOPNOTSUPP', 'Operation not supported'],
  97: ['EAFNOSUPPORT', 'Address family not supported by protocol'],
  105: ['ENOBUFS', 'No buffer space available'],
  110: ['ETIMEDOUT', 'Connection timed out'],
};

export const ENOENT = 2;
export const ESRCH = 3;
export const EEXIST = 17;
export const ENOBUFS = 105;

/** `EEXIST (File exists)`; an errno this table lacks as `errno 123`. */
export function errnoText(errno: number): string {
  const known = ERRNO[errno];
  return known ? `${known[0]} (${known[1]})` : `errno ${errno}`;
}

export function errnoName(errno: number): string {
  return ERRNO[errno]?.[0] ?? `errno ${errno}`;
}

/** What the errno means for this kind of operation, as ipvsadm said it; undefined: nothing more to say. */
function meaning(op: IpvsOperation, errno: number): string | undefined {
  const onService = op.kind.endsWith('-service');
  if (errno === EEXIST) return onService ? 'the service already exists' : 'the destination already exists';
  if (errno === ESRCH) return 'no such service';
  if (errno === ENOENT) {
    // NEW/SET_SERVICE: the scheduler (or persistence engine) is not in the kernel; DEST: no such destination.
    if (op.kind === 'add-service' || op.kind === 'update-service') {
      const s = op.service.scheduler;
      return `the kernel has no IPVS scheduler ${s} (module ip_vs_${s})`;
    }
    return onService ? 'no such service' : 'no such destination';
  }
  if (errno === 34) return 'the lower threshold is above the upper one';
  if (errno === 97) return 'a different address family is allowed only for tunneling';
  return undefined;
}

/** The error of one operation: `EEXIST (File exists): the service already exists`. */
export function operationError(op: IpvsOperation, errno: number): string {
  const what = meaning(op, errno);
  return what ? `${errnoText(errno)}: ${what}` : errnoText(errno);
}
