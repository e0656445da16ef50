// The forwarding method of a virtual_server, a real_server or a sorry server (lb_kind,
// lvs_method, sorry_server_lvs_method), read as keepalived's check_parser.c reads it.
import type { Problems } from './errors.js';
import type { ConfigNode } from './parser.js';
import { argsOf } from './statements.js';

export type Forwarding = 'DR' | 'NAT' | 'TUN';

/**
 * `lb_kind NAT|DR|TUN [options]` as keepalived's svr_forwarding_handler reads it: the method is
 * compared case-sensitively, and an unknown one is logged and leaves the method as it was (NAT
 * by default): undefined here. After the method, only `type ipip` is a tunnel lvs-operator
 * builds; any other word makes keepalived log "Invalid tunnel option" and ignore the rest.
 */
export function readMethod(node: ConfigNode, problems: Problems): Forwarding | undefined {
  const args = argsOf(node, problems, 1, Infinity);
  if (!args) return undefined;
  const method = args[0]!;
  if (method !== 'DR' && method !== 'NAT' && method !== 'TUN') {
    problems.warn(
      node,
      `${node.keyword} ${JSON.stringify(method)} is not NAT, DR or TUN (keepalived compares case-sensitively): keepalived logs an unknown routing method and keeps the previous one (NAT by default), and so does the import`,
    );
    return undefined;
  }
  const rest = args.slice(1);
  if (rest.length === 0 || (rest[0] === 'type' && rest[1] === 'ipip' && rest.length === 2)) return method;
  const tunnelOption = ['type', 'port', 'csum', 'nocsum', 'remcsum'].includes(rest[0]!);
  if (method === 'TUN' && tunnelOption) {
    problems.error(node, `${node.keyword} ${args.join(' ')} is not supported: lvs-operator tunnels with ipip only`);
    return undefined;
  }
  problems.warn(
    node,
    `${node.keyword} ${method}: keepalived ignores what follows (${JSON.stringify(rest.join(' '))}, it logs an invalid tunnel option), and so does the import`,
  );
  return method;
}
