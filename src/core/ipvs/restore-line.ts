// One `ipvsadm -R` line (the syntax `ipvsadm -S -n` prints, plus the long option forms a human
// may write) parsed into a command, with the checks ipvsadm itself makes before it talks to the
// kernel. Everything this module cannot understand becomes a SaveFormatError naming the line and
// the token; it never throws anything else. Kernel-side checks live in restore-sim.ts.
import { ipFamily, normalizeIp } from '../net/address.js';
import {
  canonicalSchedulerFlags,
  DEFAULT_PERSISTENCE_TIMEOUT,
  DEFAULT_SCHEDULER,
  DEFAULT_WEIGHT,
  IPV4_HOST_NETMASK,
  IPV6_HOST_PREFIX,
  MAX_IPVSADM_INT,
} from './canonical.js';
import type {
  IpvsDestination,
  IpvsForwarding,
  IpvsProtocol,
  IpvsService,
  IpvsTunnelChecksum,
  IpvsTunnelType,
} from './model.js';

export class SaveFormatError extends Error {
  override readonly name = 'SaveFormatError';
  constructor(
    readonly lineNumber: number,
    readonly token: string,
    detail: string,
  ) {
    // Fuzzed input can hold huge or unprintable tokens: quote and cut them for the message.
    const shown = JSON.stringify(token.length > 60 ? `${token.slice(0, 60)}...` : token);
    super(`line ${lineNumber}: ${detail}: ${shown}`);
  }
}

export type ServiceTarget =
  | { kind: 'virtual'; protocol: IpvsProtocol; address: string; port: number }
  | { kind: 'fwmark'; mark: number; ipv6: boolean };

export type ServiceSpec = Pick<IpvsService, 'scheduler' | 'schedulerFlags' | 'persistence' | 'onePacket'>;

// One member per op, so that a check of `op` narrows to exactly one shape.
type SpecCommand<O> = { op: O; target: ServiceTarget; spec: ServiceSpec };
type DestCommand<O> = { op: O; target: ServiceTarget; destination: IpvsDestination };
export type RestoreCommand =
  | SpecCommand<'add-service'>
  | SpecCommand<'edit-service'>
  | { op: 'delete-service'; target: ServiceTarget }
  | { op: 'clear' }
  | DestCommand<'add-dest'>
  | DestCommand<'edit-dest'>
  | { op: 'delete-dest'; target: ServiceTarget; destination: Pick<IpvsDestination, 'address' | 'port'> };

type Op = RestoreCommand['op'];
/** Options that ipvsadm counts as one (giving two of them is "multiple ... options specified"). */
type Slot =
  | 'command'
  | 'service'
  | 'ipv6'
  | 'scheduler'
  | 'persistent'
  | 'netmask'
  | 'flags'
  | 'ops'
  | 'pe'
  | 'real'
  | 'forward'
  | 'weight'
  | 'uthreshold'
  | 'lthreshold'
  | 'tunType'
  | 'tunPort'
  | 'checksum';
interface OptionSpec {
  short?: string;
  long: string;
  slot: Slot;
  /** 'optional' is popt's optional argument: taken only if the next token does not start with '-'. */
  arg: 'none' | 'required' | 'optional';
  /** The command, protocol, forwarding method or checksum mode the option stands for. */
  value?: string;
}

const OPTIONS: OptionSpec[] = [
  { short: 'A', long: 'add-service', slot: 'command', arg: 'none', value: 'add-service' },
  { short: 'E', long: 'edit-service', slot: 'command', arg: 'none', value: 'edit-service' },
  { short: 'D', long: 'delete-service', slot: 'command', arg: 'none', value: 'delete-service' },
  { short: 'C', long: 'clear', slot: 'command', arg: 'none', value: 'clear' },
  { short: 'a', long: 'add-server', slot: 'command', arg: 'none', value: 'add-dest' },
  { short: 'e', long: 'edit-server', slot: 'command', arg: 'none', value: 'edit-dest' },
  { short: 'd', long: 'delete-server', slot: 'command', arg: 'none', value: 'delete-dest' },
  { short: 't', long: 'tcp-service', slot: 'service', arg: 'required', value: 'TCP' },
  { short: 'u', long: 'udp-service', slot: 'service', arg: 'required', value: 'UDP' },
  { long: 'sctp-service', slot: 'service', arg: 'required', value: 'SCTP' },
  { short: 'f', long: 'fwmark-service', slot: 'service', arg: 'required', value: 'FWMARK' },
  { short: '6', long: 'ipv6', slot: 'ipv6', arg: 'none' },
  { short: 's', long: 'scheduler', slot: 'scheduler', arg: 'required' },
  { short: 'p', long: 'persistent', slot: 'persistent', arg: 'optional' },
  { short: 'M', long: 'netmask', slot: 'netmask', arg: 'required' },
  { short: 'b', long: 'sched-flags', slot: 'flags', arg: 'required' },
  { short: 'o', long: 'ops', slot: 'ops', arg: 'none' },
  { long: 'pe', slot: 'pe', arg: 'required' },
  { short: 'r', long: 'real-server', slot: 'real', arg: 'required' },
  { short: 'g', long: 'gatewaying', slot: 'forward', arg: 'none', value: 'DR' },
  { short: 'i', long: 'ipip', slot: 'forward', arg: 'none', value: 'TUN' },
  { short: 'm', long: 'masquerading', slot: 'forward', arg: 'none', value: 'NAT' },
  { short: 'w', long: 'weight', slot: 'weight', arg: 'required' },
  { short: 'x', long: 'u-threshold', slot: 'uthreshold', arg: 'required' },
  { short: 'y', long: 'l-threshold', slot: 'lthreshold', arg: 'required' },
  { long: 'tun-type', slot: 'tunType', arg: 'required' },
  { long: 'tun-port', slot: 'tunPort', arg: 'required' },
  { long: 'tun-nocsum', slot: 'checksum', arg: 'none', value: 'nocsum' },
  { long: 'tun-csum', slot: 'checksum', arg: 'none', value: 'csum' },
  { long: 'tun-remcsum', slot: 'checksum', arg: 'none', value: 'remcsum' },
];
const BY_SHORT = new Map(OPTIONS.filter((o) => o.short).map((o) => [o.short as string, o]));
const BY_LONG = new Map(OPTIONS.map((o) => [o.long, o]));

const SERVICE_SLOTS: Slot[] = ['scheduler', 'persistent', 'netmask', 'flags', 'ops'];
const DEST_SLOTS: Slot[] = ['real', 'forward', 'weight', 'uthreshold', 'lthreshold', 'tunType', 'tunPort', 'checksum'];
const ALLOWED: Record<Op, Slot[]> = {
  'add-service': ['service', 'ipv6', ...SERVICE_SLOTS],
  'edit-service': ['service', 'ipv6', ...SERVICE_SLOTS],
  'delete-service': ['service', 'ipv6'],
  clear: [],
  'add-dest': ['service', 'ipv6', ...DEST_SLOTS],
  'edit-dest': ['service', 'ipv6', ...DEST_SLOTS],
  'delete-dest': ['service', 'ipv6', 'real'],
};

interface Given {
  option: OptionSpec;
  /** The token that named the option (for error messages). */
  token: string;
  value?: string;
}

/** ipvsadm -R splits on ASCII whitespace only and does not interpret quotes. */
const SEPARATORS = /[ \t\n\v\f\r]+/;

/** Parses one line; undefined for a blank line (ipvsadm -R skips those). */
export function parseRestoreLine(text: string, lineNumber: number): RestoreCommand | undefined {
  const tokens = text.split(SEPARATORS).filter((t) => t !== '');
  if (tokens.length === 0) return undefined;
  const fail = (token: string, detail: string): never => {
    throw new SaveFormatError(lineNumber, token, detail);
  };
  if (tokens[0]?.startsWith('#')) fail(tokens[0], 'comments are not accepted by ipvsadm -R');
  const given = new Map<Slot, Given>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    let option: OptionSpec | undefined;
    let inline: string | undefined;
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      option = BY_LONG.get(eq < 0 ? token.slice(2) : token.slice(2, eq));
      if (eq >= 0) inline = token.slice(eq + 1);
    } else if (token.startsWith('-') && token.length >= 2) {
      option = BY_SHORT.get(token.charAt(1));
      if (token.length > 2) inline = token.slice(2); // popt's -w5
    } else {
      fail(token, 'unexpected argument');
    }
    if (!option) return fail(token, 'unknown or unsupported option');
    if (option.arg === 'none' && inline !== undefined) fail(token, 'option takes no value');
    let value = inline;
    if (option.arg === 'required' && value === undefined) {
      value = tokens[++i];
      // ipvsadm -S ends a line with a bare "-b " when sh/mh has only the unprintable bit 3 set.
      if (value === undefined && option.slot === 'flags') value = '';
      if (value === undefined) fail(token, 'option needs a value');
    } else if (option.arg === 'optional' && value === undefined) {
      const next = tokens[i + 1];
      if (next !== undefined && !next.startsWith('-')) value = tokens[++i];
    }
    if (given.has(option.slot)) fail(token, `more than one ${option.slot} option`);
    given.set(option.slot, { option, token, ...(value !== undefined ? { value } : {}) });
  }
  const command = given.get('command');
  if (!command) return fail(tokens[0] as string, 'no command (-A, -E, -D, -C, -a, -e or -d)');
  const op = command.option.value as Op;
  for (const [slot, g] of given) {
    if (slot !== 'command' && !ALLOWED[op].includes(slot)) fail(g.token, `option not allowed with ${command.token}`);
  }
  if (op === 'clear') return { op };
  return new LineBuilder(op, given, fail).build();
}

class LineBuilder {
  constructor(
    private readonly op: Exclude<Op, 'clear'>,
    private readonly given: Map<Slot, Given>,
    private readonly fail: (token: string, detail: string) => never,
  ) {}

  build(): RestoreCommand {
    const target = this.target();
    const op = this.op;
    if (op === 'delete-service') return { op, target };
    if (op === 'add-service' || op === 'edit-service') return { op, target, spec: this.serviceSpec(target) };
    if (op === 'delete-dest') return { op, target, destination: this.realServer(target) };
    return { op, target, destination: this.destination(target) };
  }

  private target(): ServiceTarget {
    const service = this.given.get('service');
    if (!service) return this.fail(this.given.get('command')?.token ?? '', 'no service (-t, -u, --sctp-service or -f)');
    const ipv6 = this.given.get('ipv6');
    if (service.option.value === 'FWMARK') {
      const mark = this.integer(service, 1, 0xffff_ffff);
      return { kind: 'fwmark', mark, ipv6: ipv6 !== undefined };
    }
    if (ipv6) this.fail(ipv6.token, '-6 only goes with -f (the address says the family)');
    const { address, port } = this.hostPort(service, true);
    return { kind: 'virtual', protocol: service.option.value as IpvsProtocol, address, port: port as number };
  }

  private serviceSpec(target: ServiceTarget): ServiceSpec {
    const scheduler = this.given.get('scheduler');
    const spec: ServiceSpec = { scheduler: scheduler ? this.schedulerName(scheduler) : DEFAULT_SCHEDULER };
    const persistent = this.given.get('persistent');
    if (persistent) {
      const timeout =
        persistent.value === undefined ? DEFAULT_PERSISTENCE_TIMEOUT : this.integer(persistent, 1, 0xffff_ffff);
      spec.persistence = { timeout };
    }
    // -M without -p is accepted by ipvsadm but not shown by -S: there is no persistence to group.
    const netmask = this.given.get('netmask');
    if (netmask) {
      const mask = this.netmask(netmask, target);
      if (spec.persistence && mask !== undefined) spec.persistence.netmask = mask;
    }
    const ops = this.given.get('ops');
    if (ops) {
      if (target.kind === 'virtual' && target.protocol !== 'UDP')
        this.fail(ops.token, 'one-packet scheduling is only for UDP services');
      spec.onePacket = true;
    }
    const flags = this.given.get('flags');
    if (flags && flags.value !== '') {
      const names = (flags.value as string).split(',');
      const canonical = canonicalSchedulerFlags(spec.scheduler, names);
      if (!Array.isArray(canonical))
        return this.fail(flags.value as string, `invalid scheduler flag for ${spec.scheduler}`);
      if (canonical.length > 0) spec.schedulerFlags = canonical;
    }
    return spec;
  }

  private realServer(target: ServiceTarget): { address: string; port: number } {
    const real = this.given.get('real');
    if (!real) return this.fail(this.given.get('command')?.token ?? '', 'no real server (-r)');
    const { address, port } = this.hostPort(real, false);
    // "-r 10.0.0.1" means the service's port (ipvsadm parses the service port into it).
    return { address, port: port ?? (target.kind === 'virtual' ? target.port : 0) };
  }

  private destination(target: ServiceTarget): IpvsDestination {
    const real = this.realServer(target);
    const forwarding = (this.given.get('forward')?.option.value ?? 'DR') as IpvsForwarding;
    const serviceFamily = target.kind === 'virtual' ? ipFamily(target.address) : target.ipv6 ? 6 : 4;
    if (forwarding !== 'TUN' && ipFamily(real.address) !== serviceFamily) {
      this.fail(this.given.get('real')?.value ?? '', 'a different address family is allowed only for tunneling (-i)');
    }
    // ipvsadm itself rewrites the port of DR and TUN destinations to the service's port.
    const port = forwarding !== 'NAT' && target.kind === 'virtual' ? target.port : real.port;
    const weight = this.given.get('weight');
    const d: IpvsDestination = {
      address: real.address,
      port,
      forwarding,
      weight: weight ? this.integer(weight, 0, MAX_IPVSADM_INT) : DEFAULT_WEIGHT,
    };
    const upper = this.given.get('uthreshold');
    const lower = this.given.get('lthreshold');
    if (upper && this.integer(upper, 0, MAX_IPVSADM_INT) > 0)
      d.upperThreshold = this.integer(upper, 0, MAX_IPVSADM_INT);
    if (lower && this.integer(lower, 0, MAX_IPVSADM_INT) > 0)
      d.lowerThreshold = this.integer(lower, 0, MAX_IPVSADM_INT);
    this.tunnel(d);
    return d;
  }

  /** --tun-* options: only with -i, and only the ones ipvsadm allows for the tunnel type. */
  private tunnel(d: IpvsDestination): void {
    const type = this.given.get('tunType');
    const port = this.given.get('tunPort');
    const checksum = this.given.get('checksum');
    const first = type ?? port ?? checksum;
    if (!first) return;
    if (d.forwarding !== 'TUN') this.fail(first.token, 'tunnel options conflict with the forwarding method');
    const tunnelType = (type?.value ?? 'ipip') as IpvsTunnelType;
    if (!['ipip', 'gue', 'gre'].includes(tunnelType))
      this.fail(type?.value ?? '', 'tunnel type must be ipip, gue or gre');
    if (tunnelType === 'gue' && !port) this.fail(type?.token ?? '', 'the gue tunnel type needs --tun-port');
    if (tunnelType !== 'gue' && port) this.fail(port.token, `--tun-port is illegal with the ${tunnelType} tunnel type`);
    const mode = checksum?.option.value as IpvsTunnelChecksum | undefined;
    if (checksum && (tunnelType === 'ipip' || (tunnelType === 'gre' && mode === 'remcsum'))) {
      this.fail(checksum.token, `illegal with the ${tunnelType} tunnel type`);
    }
    if (tunnelType === 'ipip') return;
    d.tunnelType = tunnelType;
    if (port) d.tunnelPort = this.integer(port, 1, 65535);
    if (mode && mode !== 'nocsum') d.tunnelChecksum = mode;
  }

  private schedulerName(g: Given): string {
    const name = g.value as string;
    // Kernel scheduler names are short lowercase identifiers (IP_VS_SCHEDNAME_MAXLEN is 16).
    if (!/^[a-z][a-z0-9_]{0,14}$/.test(name)) this.fail(name, 'invalid scheduler name');
    return name;
  }

  private netmask(g: Given, target: ServiceTarget): string | undefined {
    const mask = g.value as string;
    const v6 = target.kind === 'virtual' ? ipFamily(target.address) === 6 : target.ipv6;
    if (v6) {
      // IPv6 persistence granularity is a prefix length; 128 (host) is the default.
      if (!/^\d{1,3}$/.test(mask) || Number(mask) < 1 || Number(mask) > 128)
        this.fail(mask, 'invalid IPv6 netmask (prefix length 1..128)');
      return String(Number(mask)) === IPV6_HOST_PREFIX ? undefined : String(Number(mask));
    }
    // Dotted quad only: ipvsadm would read "16" as 0.0.0.16 (inet_aton), surely not what was meant.
    if (ipFamily(mask) !== 4) this.fail(mask, 'invalid IPv4 netmask (dotted quad)');
    return mask === IPV4_HOST_NETMASK ? undefined : mask;
  }

  /** host:port, [v6]:port; the port may be left out for real servers only. */
  private hostPort(g: Given, portRequired: boolean): { address: string; port: number | undefined } {
    const text = g.value as string;
    let host: string;
    let portText: string | undefined;
    if (text.startsWith('[')) {
      const close = text.indexOf(']');
      if (close < 0) this.fail(text, 'missing "]" after the IPv6 address');
      host = text.slice(1, close);
      const rest = text.slice(close + 1);
      if (rest !== '' && !rest.startsWith(':')) this.fail(text, 'expected ":port" after "]"');
      portText = rest === '' ? undefined : rest.slice(1);
      if (ipFamily(host) !== 6) this.fail(text, 'invalid IPv6 address');
    } else {
      const parts = text.split(':');
      if (parts.length > 2) this.fail(text, 'an IPv6 address needs [brackets]');
      host = parts[0] as string;
      portText = parts[1];
      if (ipFamily(host) !== 4) this.fail(text, 'invalid IPv4 address');
    }
    if (portText === undefined && portRequired) this.fail(text, 'missing port');
    // Digits only: ipvsadm would also take service names (http), which -S -n never prints.
    if (portText !== undefined && (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535)) {
      this.fail(text, 'invalid port (0..65535)');
    }
    return { address: normalizeIp(host) as string, port: portText === undefined ? undefined : Number(portText) };
  }

  private integer(g: Given, min: number, max: number): number {
    const text = g.value as string;
    const n = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
    if (!(n >= min && n <= max)) this.fail(text, `${g.token} must be an integer ${min}..${max}`);
    return n;
  }
}
