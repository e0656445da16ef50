// One vrrp_instance block -> what lvs-operator needs of it, with keepalived's defaults and its
// start-up corrections applied, so that the result describes what keepalived actually ran.
import { INTERFACE_ANNOTATION } from '../../api/objects.js';
import {
  isValidInterfaceName,
  usableVrrpPassword,
  VRRP_PASSWORD_MAX_LENGTH,
  VRRP_PASSWORD_RULE,
} from '../../api/vrrp.js';
import type { Problems, SourceLocation } from './errors.js';
import { stableJson } from '../../api/stable-json.js';
import type { ConfigNode } from './parser.js';
import { argsOf, blockOf, forEachMapped, once, readAddress, readInteger, readSeconds } from './statements.js';
import {
  checkVipLabel,
  readTrackInterfaces,
  readVipEntry,
  type TrackedInterface,
  type VipOptions,
} from './read-vrrp-options.js';

export interface VrrpInstanceConf {
  name: string;
  at: SourceLocation;
  state: 'MASTER' | 'BACKUP' | undefined;
  interface: string | undefined;
  virtualRouterID: number | undefined;
  priority: number;
  version: 2 | 3;
  advertInterval: number;
  preempt: boolean;
  preemptDelay: number;
  unicastPeers: string[];
  /** unicast_src_ip or mcast_src_ip: the director's own address. */
  sourceAddress: string | undefined;
  password: string | undefined;
  vips: { address: string; options: VipOptions; at: SourceLocation }[];
  trackInterfaces: TrackedInterface[];
}

/** keepalived's defaults, which differ from lvs-operator's (version 3, 0.1 s adverts). */
export const KEEPALIVED_VRRP_DEFAULTS = { priority: 100, version: 2, advertInterval: 1, preemptDelay: 0 } as const;

/** What the keywords of a vrrp_instance block leave behind until the block is read through. */
interface VrrpDraft {
  conf: VrrpInstanceConf;
  auth: Authentication | undefined;
}

/** A keyword's handler; `value` is its first argument ('' without one), its count not yet checked. */
type KeywordHandler = (child: ConfigNode, value: string, draft: VrrpDraft, problems: Problems) => void;

const VRRP_KEYWORDS: Readonly<Record<string, KeywordHandler>> = {
  state: (child, value, { conf }, problems) => {
    if (!argsOf(child, problems, 1)) return;
    if (value === 'MASTER' || value === 'BACKUP') return void (conf.state = value);
    problems.warn(
      child,
      `state ${JSON.stringify(value)} is not MASTER or BACKUP (keepalived compares case-sensitively): keepalived logs an unknown state and starts as BACKUP, and so does the import`,
    );
    conf.state = 'BACKUP';
  },
  interface: (child, value, { conf }, problems) => {
    if (!argsOf(child, problems, 1)) return;
    if (isValidInterfaceName(value)) conf.interface = value;
    else problems.error(child, `interface ${JSON.stringify(value)} is not a valid interface name`);
  },
  virtual_router_id: (child, value, { conf }, problems) => {
    if (argsOf(child, problems, 1))
      conf.virtualRouterID = readInteger(child, problems, 'virtual_router_id', value, 1, 255);
  },
  priority: (child, value, { conf }, problems) => {
    if (!argsOf(child, problems, 1)) return;
    if (value === '255')
      problems.error(child, 'priority 255 (address owner) is not supported: lvs-operator priorities are 1-254');
    else conf.priority = readInteger(child, problems, 'priority', value, 1, 254) ?? conf.priority;
  },
  advert_int: (child, value, { conf }, problems) => {
    if (argsOf(child, problems, 1))
      conf.advertInterval = readSeconds(child, problems, 'advert_int', value, 0.01, 255) ?? conf.advertInterval;
  },
  version: (child, value, { conf }, problems) => {
    if (!argsOf(child, problems, 1)) return;
    if (value === '2' || value === '3') conf.version = Number(value) as 2 | 3;
    else problems.error(child, `version must be 2 or 3, got ${JSON.stringify(value)}`);
  },
  nopreempt: (child, _, { conf }, problems) => {
    if (argsOf(child, problems, 0)) conf.preempt = false;
  },
  preempt: (child, _, { conf }, problems) => {
    if (argsOf(child, problems, 0)) conf.preempt = true;
  },
  preempt_delay: (child, value, { conf }, problems) => {
    if (argsOf(child, problems, 1))
      conf.preemptDelay = readInteger(child, problems, 'preempt_delay (whole seconds)', value, 0, 1000) ?? 0;
  },
  unicast_src_ip: readSourceAddress,
  mcast_src_ip: readSourceAddress,
  authentication: (child, _, draft, problems) => {
    draft.auth = readAuthentication(child, problems);
  },
  virtual_ipaddress: (child, _, { conf }, problems) => {
    for (const entry of blockOf(child, problems) ?? []) {
      const vip = readVipEntry(entry, problems);
      if (!vip) continue;
      const first = conf.vips.find((v) => v.address === vip.address);
      if (first && stableJson(first.options) !== stableJson(vip.options)) {
        problems.error(
          entry,
          `VIP ${vip.address} is listed again with other options (first at ${first.at.file}:${first.at.line}): keepalived would hold a second address; lvs-operator holds a VIP once`,
        );
        continue;
      }
      if (first) {
        problems.warn(
          entry,
          `VIP ${vip.address} is listed again (first at ${first.at.file}:${first.at.line}): keepalived holds it once, and so does the import`,
        );
        continue;
      }
      conf.vips.push({ address: vip.address, options: vip.options, at: entry });
    }
  },
  track_interface: (child, _, { conf }, problems) => {
    for (const tracked of readTrackInterfaces(blockOf(child, problems) ?? [], problems)) {
      const first = conf.trackInterfaces.find((t) => t.name === tracked.name);
      if (first)
        problems.warn(
          tracked.at,
          `track_interface ${tracked.name} is listed again (first at ${first.at.file}:${first.at.line}): keepalived ignores it, and so does the import`,
        );
      else conf.trackInterfaces.push(tracked);
    }
  },
  unicast_peer: (child, _, { conf }, problems) => {
    for (const entry of blockOf(child, problems) ?? []) readUnicastPeer(entry, conf, problems);
  },
};

function readSourceAddress(child: ConfigNode, value: string, { conf }: VrrpDraft, problems: Problems): void {
  if (argsOf(child, problems, 1)) conf.sourceAddress = readAddress(child, problems, child.keyword, value);
}

/** Keywords that may come more than once: their entries add up. */
const REPEATABLE = ['virtual_ipaddress', 'unicast_peer', 'track_interface'];

export function readVrrpInstance(
  node: ConfigNode,
  globalVersion: 2 | 3 | undefined,
  problems: Problems,
): VrrpInstanceConf | undefined {
  const children = blockOf(node, problems, 1);
  if (!children) return undefined;
  const draft: VrrpDraft = {
    conf: {
      name: node.args[0]!,
      at: node,
      state: undefined,
      interface: undefined,
      virtualRouterID: undefined,
      priority: KEEPALIVED_VRRP_DEFAULTS.priority,
      version: globalVersion ?? KEEPALIVED_VRRP_DEFAULTS.version,
      advertInterval: KEEPALIVED_VRRP_DEFAULTS.advertInterval,
      preempt: true,
      preemptDelay: KEEPALIVED_VRRP_DEFAULTS.preemptDelay,
      unicastPeers: [],
      sourceAddress: undefined,
      password: undefined,
      vips: [],
      trackInterfaces: [],
    },
    auth: undefined,
  };
  const seen = new Map<string, SourceLocation>();
  forEachMapped('vrrp_instance', children, problems, (child) => {
    if (!REPEATABLE.includes(child.keyword) && !once(seen, child, problems)) return;
    if (Object.hasOwn(VRRP_KEYWORDS, child.keyword))
      VRRP_KEYWORDS[child.keyword]!(child, child.args[0] ?? '', draft, problems);
  });
  checkInstance(node, draft, problems);
  applyStartupCorrections(draft.conf, problems);
  draft.conf.password = draft.auth && settleAuthentication(draft.conf, draft.auth, problems);
  return draft.conf;
}

/** What an instance must have, its VIPs' labels, and its own interface among the tracked ones. */
function checkInstance(node: ConfigNode, { conf }: VrrpDraft, problems: Problems): void {
  const { name } = conf;
  if (conf.virtualRouterID === undefined) problems.error(node, `vrrp_instance ${name} has no virtual_router_id`);
  if (conf.vips.length === 0) problems.error(node, `vrrp_instance ${name} has no virtual_ipaddress`);
  if (conf.interface === undefined) {
    problems.warn(
      node,
      `vrrp_instance ${name} names no interface: lvs-operator uses the Node's ${INTERFACE_ANNOTATION} annotation or the interface of its InternalIP`,
    );
  }
  for (const vip of conf.vips) {
    if (!checkVipLabel(vip.at, vip.options, conf.interface, problems)) vip.options = {};
    // dev naming the instance's own interface says nothing more than its absence.
    if (vip.options.interface === conf.interface) delete vip.options.interface;
  }
  const own = conf.trackInterfaces.find((t) => t.name === conf.interface);
  if (own) {
    problems.warn(
      own.at,
      `track_interface ${own.name} is the instance's own interface: keepalived ignores it (it tracks that one anyway: down = FAULT), and so does the import`,
    );
    conf.trackInterfaces = conf.trackInterfaces.filter((t) => t !== own);
  }
}

/** What keepalived itself changes (with a log line) when it starts, so that we import what ran. */
function applyStartupCorrections(conf: VrrpInstanceConf, problems: Problems): void {
  if (conf.state === 'MASTER' && !conf.preempt) {
    problems.warn(
      conf.at,
      `vrrp_instance ${conf.name}: keepalived ignores nopreempt with state MASTER, so this director preempts`,
    );
    conf.preempt = true;
  }
  if (conf.state === 'MASTER' && conf.preemptDelay > 0) {
    problems.warn(conf.at, `vrrp_instance ${conf.name}: keepalived ignores preempt_delay with state MASTER`);
    conf.preemptDelay = 0;
  }
  if (conf.version === 2 && !Number.isInteger(conf.advertInterval)) {
    problems.error(
      conf.at,
      `vrrp_instance ${conf.name}: advert_int ${conf.advertInterval} needs VRRP version 3 (version 2 adverts are whole seconds)`,
    );
  }
}

/** An authentication block as written; keepalived decides what it means once the instance is read. */
interface Authentication {
  at: SourceLocation;
  /** PASS or AH; undefined when absent or unknown (keepalived then sends no authentication). */
  type: { value: 'PASS' | 'AH'; at: SourceLocation } | undefined;
  pass: { value: string; at: SourceLocation } | undefined;
}

function readAuthentication(node: ConfigNode, problems: Problems): Authentication {
  const auth: Authentication = { at: node, type: undefined, pass: undefined };
  forEachMapped('authentication', blockOf(node, problems), problems, (child) => {
    const value = argsOf(child, problems, 1)?.[0];
    if (value === undefined) return;
    if (child.keyword === 'auth_pass') return void (auth.pass = { value, at: child });
    if (value === 'PASS' || value === 'AH') return void (auth.type = { value, at: child });
    auth.type = undefined;
    problems.warn(
      child,
      `auth_type ${JSON.stringify(value)} is not PASS or AH (keepalived compares case-sensitively): keepalived logs an unknown authentication type and sends no authentication, and so does the import`,
    );
  });
  return auth;
}

/** The password, after keepalived's start-up checks (vrrp.c, in its order); undefined: no authentication. */
function settleAuthentication(conf: VrrpInstanceConf, auth: Authentication, problems: Problems): string | undefined {
  const { type, pass } = auth;
  if (type === undefined) {
    if (pass)
      problems.warn(
        pass.at,
        'auth_pass without auth_type PASS: keepalived sends no authentication, and so does the import',
      );
    return undefined;
  }
  if (conf.version === 3) {
    problems.warn(
      type.at,
      `vrrp_instance ${conf.name}: VRRPv3 has no authentication; keepalived ignored it and so does the import`,
    );
    return undefined;
  }
  if (pass === undefined || pass.value === '') {
    problems.warn(
      type.at,
      `auth_type ${type.value} without auth_pass: keepalived ignores the authentication, and so does the import`,
    );
    return undefined;
  }
  if (type.value === 'AH') {
    problems.error(type.at, 'auth_type AH is not supported: lvs-operator supports PASS only');
    return undefined;
  }
  if (usableVrrpPassword(pass.value) === undefined) {
    // Checked here, at its line, rather than by the planner later: the same rule, the same words.
    problems.error(
      pass.at,
      `auth_pass cannot be carried over: ${VRRP_PASSWORD_RULE} (of the first ${VRRP_PASSWORD_MAX_LENGTH}, which keepalived uses)`,
    );
    return undefined;
  }
  if (pass.value.length > VRRP_PASSWORD_MAX_LENGTH)
    problems.warn(
      pass.at,
      `auth_pass is longer than ${VRRP_PASSWORD_MAX_LENGTH} characters: keepalived used only the first ${VRRP_PASSWORD_MAX_LENGTH}, and so will lvs-operator`,
    );
  return pass.value;
}

function readUnicastPeer(entry: ConfigNode, conf: VrrpInstanceConf, problems: Problems): void {
  if (entry.children !== undefined) {
    problems.error(entry, 'a unicast_peer entry takes no { } block');
    return;
  }
  const address = readAddress(entry, problems, 'unicast_peer', entry.keyword);
  if (address !== undefined) conf.unicastPeers.push(address);
}
