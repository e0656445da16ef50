// One virtual_server block -> the virtual service and its real servers as keepalived ran them:
// its defaults written out (wlc, NAT, retry 1 ...) and its start-up corrections applied (ports
// reset in DR/TUN, quorum capped, duplicate real servers dropped).
import type { Problems, SourceLocation } from './errors.js';
import { LB_ALGOS, type LbAlgo } from './keywords.js';
import type { ConfigNode } from './parser.js';
import { readMethod, type Forwarding } from './read-method.js';
import { CHECKER_TYPES, readChecker, readCheckSetting, type CheckConf, type CheckSettings } from './read-checker.js';
import { argsOf, blockOf, forEachMapped, isV6, once, readAddress, readInteger, readPort } from './statements.js';

export type { Forwarding } from './read-method.js';
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface VirtualServerConf {
  at: SourceLocation;
  address: string;
  port: number;
  protocol: Protocol;
  scheduler: LbAlgo;
  schedulerFlags: ('sh-fallback' | 'sh-port' | 'mh-fallback' | 'mh-port')[];
  forwarding: Forwarding;
  persistence: { timeout: number; netmask?: string } | undefined;
  sorryServer: { address: string; port?: number } | undefined;
  quorum: { minimum: number; hysteresis: number } | undefined;
  realServers: RealServerConf[];
}

export interface RealServerConf {
  at: SourceLocation;
  address: string;
  port: number;
  weight: number;
  upperThreshold: number | undefined;
  lowerThreshold: number | undefined;
  check: CheckConf;
}

/** keepalived: `persistence_timeout` alone means 6 minutes (IPVS_SVC_PERSISTENT_TIMEOUT). */
export const KEEPALIVED_BARE_PERSISTENCE_TIMEOUT = 360;
const IPV4_NETMASK = /^((255|254|252|248|240|224|192|128|0)\.){3}(255|254|252|248|240|224|192|128|0)$/;

/** What the keywords of a virtual_server block leave behind until the block is read through. */
interface VirtualServerDraft {
  vs: VirtualServerConf;
  settings: CheckSettings;
  flags: Map<'fallback' | 'port', SourceLocation>;
  realServerNodes: ConfigNode[];
  protocolGiven: boolean;
  granularity: { netmask: string; at: SourceLocation } | undefined;
  sorryMethod: { value: Forwarding; at: SourceLocation } | undefined;
  quorum: number | undefined;
  hysteresis: number | undefined;
  defaultWeight: number;
}

type KeywordHandler = (child: ConfigNode, draft: VirtualServerDraft, problems: Problems) => void;

/** sh-port and mh-port are the same IPVS flag bit (flag-2), as are the fallbacks (flag-1). */
const readSchedulerFlag: KeywordHandler = (child, draft, problems) => {
  if (!argsOf(child, problems, 0)) return;
  const key = child.keyword;
  if (key === 'flag-3') problems.warn(child, 'flag-3 means nothing to the sh and mh schedulers; dropped');
  else draft.flags.set(key.endsWith('fallback') || key === 'flag-1' ? 'fallback' : 'port', child);
};

const readPersistenceTimeout: KeywordHandler = (child, draft, problems) => {
  const args = argsOf(child, problems, 0, 1);
  if (!args) return;
  const timeout =
    args[0] === undefined
      ? KEEPALIVED_BARE_PERSISTENCE_TIMEOUT
      : readInteger(child, problems, child.keyword, args[0], 0, 2678400);
  // persistence_timeout 0 is keepalived's way of saying "not persistent".
  draft.vs.persistence = timeout ? { timeout } : undefined;
};

const readForwarding: KeywordHandler = (child, draft, problems) => {
  const method = readMethod(child, problems);
  if (method && child.keyword === 'sorry_server_lvs_method') draft.sorryMethod = { value: method, at: child };
  else if (method) draft.vs.forwarding = method;
};

const readSorryServer: KeywordHandler = (child, { vs }, problems) => {
  const args = argsOf(child, problems, 1, 2);
  const sorry = args && readAddress(child, problems, 'sorry_server', args[0]!);
  const sorryPort = args?.[1] === undefined ? undefined : readPort(child, problems, 'the sorry_server port', args[1]);
  if (sorry === vs.address) problems.error(child, 'sorry_server must not be the virtual address itself');
  else if (sorry) vs.sorryServer = sorryPort === undefined ? { address: sorry } : { address: sorry, port: sorryPort };
};

/** Keywords that read their arguments themselves. */
const VS_KEYWORDS: Readonly<Record<string, KeywordHandler>> = {
  ...Object.fromEntries(
    ['sh-port', 'sh-fallback', 'mh-port', 'mh-fallback', 'flag-1', 'flag-2', 'flag-3'].map((k) => [
      k,
      readSchedulerFlag,
    ]),
  ),
  persistence_timeout: readPersistenceTimeout,
  lb_kind: readForwarding,
  lvs_method: readForwarding,
  sorry_server_lvs_method: readForwarding,
  sorry_server: readSorryServer,
};

type ValueHandler = (child: ConfigNode, value: string, draft: VirtualServerDraft, problems: Problems) => void;

const readScheduler: ValueHandler = (child, value, { vs }, problems) => {
  if ((LB_ALGOS as readonly string[]).includes(value)) vs.scheduler = value as LbAlgo;
  else problems.error(child, `${child.keyword} ${value} is not an IPVS scheduler (${LB_ALGOS.join(' ')})`);
};

/** Keywords of one value; every other mapped keyword is still checked for one argument. */
const VS_VALUE_KEYWORDS: Readonly<Record<string, ValueHandler>> = {
  lb_algo: readScheduler,
  lvs_sched: readScheduler,
  protocol: (child, value, draft, problems) => {
    draft.protocolGiven = true;
    const protocol = value.toUpperCase();
    if (protocol === 'TCP' || protocol === 'UDP' || protocol === 'SCTP') draft.vs.protocol = protocol;
    else problems.error(child, `protocol must be TCP, UDP or SCTP, got ${JSON.stringify(value)}`);
  },
  persistence_granularity: (child, value, draft, problems) => {
    const v6 = isV6(draft.vs.address);
    if (v6 ? readInteger(child, problems, child.keyword, value, 1, 128) !== undefined : IPV4_NETMASK.test(value)) {
      draft.granularity = { netmask: value, at: child };
    } else if (!v6) {
      problems.error(
        child,
        `persistence_granularity must be a dotted netmask for an IPv4 service, got ${JSON.stringify(value)}`,
      );
    }
  },
  quorum: (child, value, draft, problems) => {
    draft.quorum = readInteger(child, problems, child.keyword, value, 1, 65535);
  },
  hysteresis: (child, value, draft, problems) => {
    draft.hysteresis = readInteger(child, problems, child.keyword, value, 0, 65535);
  },
  weight: (child, value, draft, problems) => {
    draft.defaultWeight = readInteger(child, problems, child.keyword, value, 0, 65535) ?? 1;
  },
};

/** Reads the block; undefined when keepalived would not run it (no real server) or it is invalid. */
export function readVirtualServer(
  node: ConfigNode,
  problems: Problems,
  groupEntry?: { address: string; port: number },
): VirtualServerConf | undefined {
  const children = blockOf(node, problems, 1, 2);
  if (!children) return undefined;
  const vs = readVirtualServerHead(node, problems, groupEntry);
  if (!vs) return undefined;
  const draft: VirtualServerDraft = {
    vs,
    settings: {},
    flags: new Map(),
    realServerNodes: [],
    protocolGiven: false,
    granularity: undefined,
    sorryMethod: undefined,
    quorum: undefined,
    hysteresis: undefined,
    defaultWeight: 1,
  };
  const seen = new Map<string, SourceLocation>();
  forEachMapped('virtual_server', children, problems, (child) => {
    if (child.keyword === 'real_server') return void draft.realServerNodes.push(child);
    if (!once(seen, child, problems)) return;
    if (readCheckSetting(child, draft.settings, problems)) return;
    if (Object.hasOwn(VS_KEYWORDS, child.keyword)) return VS_KEYWORDS[child.keyword]!(child, draft, problems);
    const value = argsOf(child, problems, 1)?.[0];
    if (value !== undefined && Object.hasOwn(VS_VALUE_KEYWORDS, child.keyword))
      VS_VALUE_KEYWORDS[child.keyword]!(child, value, draft, problems);
  });
  settleVirtualServer(node, draft, problems);
  addRealServers(draft, problems);
  if (vs.realServers.length === 0) {
    problems.warn(
      node,
      `virtual_server ${vs.address} ${vs.port} has no real server; keepalived ignores it, and so does the import`,
    );
    return undefined;
  }
  if (draft.quorum !== undefined || draft.hysteresis !== undefined)
    vs.quorum = capQuorum(vs, draft.quorum ?? 1, draft.hysteresis ?? 0, problems);
  return vs;
}

/** `virtual_server ADDRESS PORT` (or one entry of its group), with keepalived's defaults for the rest. */
function readVirtualServerHead(
  node: ConfigNode,
  problems: Problems,
  groupEntry: { address: string; port: number } | undefined,
): VirtualServerConf | undefined {
  if (groupEntry === undefined && (node.args[0] === 'fwmark' || node.args[0] === 'group')) {
    problems.error(
      node,
      `virtual_server ${node.args[0]} is not supported: lvs-operator has no firewall-mark services; write one virtual_server per address and port`,
    );
    return undefined;
  }
  const address = groupEntry?.address ?? readAddress(node, problems, 'the virtual_server address', node.args[0]!);
  if (groupEntry === undefined && (node.args[1] === undefined || node.args[1] === '0')) {
    problems.error(node, 'a virtual_server without a port or on port 0 (all ports, persistent) is not supported');
    return undefined;
  }
  const port = groupEntry?.port ?? readPort(node, problems, 'the virtual_server port', node.args[1]!);
  if (address === undefined || port === undefined) return undefined;
  return {
    at: node,
    address,
    port,
    protocol: 'TCP',
    scheduler: 'wlc', // keepalived's IPVS_DEF_SCHED
    schedulerFlags: [],
    forwarding: 'NAT', // keepalived: "no forwarding method set, setting default NAT"
    persistence: undefined,
    sorryServer: undefined,
    quorum: undefined,
    realServers: [],
  };
}

/** What depends on several keywords of the block, settled once all are read. */
function settleVirtualServer(node: ConfigNode, draft: VirtualServerDraft, problems: Problems): void {
  const { vs, granularity, sorryMethod } = draft;
  // keepalived 2.x defaults a missing protocol to UDP (with a config error); nobody means that.
  if (!draft.protocolGiven) problems.error(node, 'virtual_server has no protocol: write protocol TCP (or UDP, SCTP)');
  vs.schedulerFlags = schedulerFlags(vs.scheduler, draft.flags, problems);
  if (granularity && !vs.persistence) {
    // check_parser.c pgr_handler: granularity alone makes the service persistent, 6 minutes.
    problems.warn(
      granularity.at,
      `persistence_granularity without persistence_timeout: keepalived makes the service persistent for ${KEEPALIVED_BARE_PERSISTENCE_TIMEOUT} s, and so does the import`,
    );
    vs.persistence = { timeout: KEEPALIVED_BARE_PERSISTENCE_TIMEOUT };
  }
  if (granularity && vs.persistence) vs.persistence.netmask = granularity.netmask;
  if (sorryMethod && sorryMethod.value !== vs.forwarding) {
    problems.error(
      sorryMethod.at,
      `sorry_server_lvs_method ${sorryMethod.value} differs from the virtual server's ${vs.forwarding}: not supported`,
    );
  }
  if (vs.sorryServer?.port !== undefined && vs.forwarding !== 'NAT' && vs.sorryServer.port !== vs.port) {
    problems.warn(
      node,
      `sorry_server port ${vs.sorryServer.port} differs from the virtual port in ${vs.forwarding} mode; keepalived resets it to ${vs.port}`,
    );
    vs.sorryServer.port = vs.port;
  }
}

/** The real servers, read once the virtual server's forwarding and defaults are known; duplicates dropped. */
function addRealServers(draft: VirtualServerDraft, problems: Problems): void {
  const { vs } = draft;
  for (const rsNode of draft.realServerNodes) {
    const rs = readRealServer(rsNode, vs, draft.settings, draft.defaultWeight, problems);
    if (!rs) continue;
    const duplicate = vs.realServers.find((other) => other.address === rs.address && other.port === rs.port);
    if (duplicate)
      problems.warn(
        rsNode,
        `real_server ${rs.address} ${rs.port} is a duplicate (first at line ${duplicate.at.line}); keepalived drops it`,
      );
    else vs.realServers.push(rs);
  }
}

function schedulerFlags(
  scheduler: LbAlgo,
  flags: Map<'fallback' | 'port', SourceLocation>,
  problems: Problems,
): VirtualServerConf['schedulerFlags'] {
  const out: VirtualServerConf['schedulerFlags'] = [];
  for (const [flag, at] of [...flags].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (scheduler === 'sh' || scheduler === 'mh') out.push(`${scheduler}-${flag}`);
    else
      problems.warn(
        at,
        `scheduler flag ${flag} means nothing to the ${scheduler} scheduler (the kernel ignored it); dropped`,
      );
  }
  return out;
}

/** keepalived caps quorum at the total weight and hysteresis below the quorum, at start-up. */
function capQuorum(
  vs: VirtualServerConf,
  minimum: number,
  hysteresis: number,
  problems: Problems,
): { minimum: number; hysteresis: number } {
  const total = vs.realServers.reduce((sum, rs) => sum + rs.weight, 0);
  if (total >= 1 && minimum > total) {
    problems.warn(
      vs.at,
      `quorum ${minimum} exceeds the total weight ${total} of the real servers; keepalived lowers it to ${total}`,
    );
    minimum = total;
  }
  if (hysteresis >= minimum) {
    problems.warn(
      vs.at,
      `hysteresis ${hysteresis} is not below quorum ${minimum}; keepalived lowers it to ${minimum - 1}`,
    );
    hysteresis = minimum - 1;
  }
  return { minimum, hysteresis };
}

function readRealServer(
  node: ConfigNode,
  vs: VirtualServerConf,
  vsSettings: CheckSettings,
  defaultWeight: number,
  problems: Problems,
): RealServerConf | undefined {
  const children = blockOf(node, problems, 1, 2);
  if (!children) return undefined;
  const address = readAddress(node, problems, 'the real_server address', node.args[0]!);
  const configuredPort =
    node.args[1] === undefined ? vs.port : readPort(node, problems, 'the real_server port', node.args[1]);
  if (address === undefined || configuredPort === undefined) return undefined;
  if (isV6(address) !== isV6(vs.address)) {
    problems.error(node, `real_server ${address} is not of the virtual address's IP family: not supported`);
    return undefined;
  }
  let port = configuredPort;
  if (vs.forwarding !== 'NAT' && port !== vs.port) {
    problems.warn(
      node,
      `real_server port ${port} differs from the virtual port in ${vs.forwarding} mode; keepalived resets it to ${vs.port} (its health check still uses ${port})`,
    );
    port = vs.port;
  }
  const rs: RealServerConf = {
    at: node,
    address,
    port,
    weight: defaultWeight,
    upperThreshold: undefined,
    lowerThreshold: undefined,
    check: { type: 'None' },
  };
  const settings: CheckSettings = { ...vsSettings };
  const seen = new Map<string, SourceLocation>();
  const checkers: ConfigNode[] = [];
  forEachMapped('real_server', children, problems, (child) => {
    if (CHECKER_TYPES[child.keyword]) return void checkers.push(child);
    if (!once(seen, child, problems)) return;
    // The real server's own settings override the virtual server's, key by key.
    const own: CheckSettings = {};
    if (readCheckSetting(child, own, problems)) return void Object.assign(settings, stripUndefined(own));
    if (child.keyword === 'lvs_method') {
      const method = readMethod(child, problems);
      if (method && method !== vs.forwarding)
        problems.error(
          child,
          `lvs_method ${method} differs from the virtual server's ${vs.forwarding}: per-real-server forwarding is not supported`,
        );
      return;
    }
    const value = argsOf(child, problems, 1)?.[0];
    if (value === undefined) return;
    if (child.keyword === 'weight') rs.weight = readInteger(child, problems, 'weight', value, 0, 65535) ?? rs.weight;
    if (child.keyword === 'uthreshold') rs.upperThreshold = readInteger(child, problems, 'uthreshold', value, 0, 65535);
    if (child.keyword === 'lthreshold') rs.lowerThreshold = readInteger(child, problems, 'lthreshold', value, 0, 65535);
  });
  if (rs.upperThreshold !== undefined && rs.lowerThreshold !== undefined && rs.lowerThreshold > rs.upperThreshold) {
    problems.error(node, `lthreshold ${rs.lowerThreshold} exceeds uthreshold ${rs.upperThreshold}`);
  }
  if (checkers.length > 1) {
    problems.error(
      checkers[1]!,
      `a second checker on one real_server is not supported: lvs-operator runs one health check per real server`,
    );
  }
  if (checkers[0]) rs.check = readChecker(checkers[0], settings, { address, configuredPort, port }, problems);
  return rs;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
