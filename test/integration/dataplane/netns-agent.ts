// The node agent's dataplane step as a process of its own, for the integration test to run
// inside a network namespace (`ip netns exec NS node netns-agent.mjs`): /proc/sys/net shows the
// namespace of the process that reads it, so the drivers must run there, not in the test.
// Reads one request as JSON on stdin, converges, prints both results as JSON on stdout.
import type { AddressPlan, SysctlPlan, TunnelPlan } from '../../../src/core/api/generated/lvsnode.js';
import { convergeAddresses } from '../../../src/node/dataplane/addresses.js';
import { runCommand } from '../../../src/node/dataplane/command.js';
import { convergeSysctls } from '../../../src/node/dataplane/sysctl.js';

export interface AgentRequest {
  sysctls: SysctlPlan[];
  memory: Record<string, string>;
  addresses: AddressPlan[];
  tunnels: TunnelPlan[];
  owned: AddressPlan[];
}

let input = '';
for await (const chunk of process.stdin) input += String(chunk);
const request = JSON.parse(input) as AgentRequest;
// Addresses first: tunl0 (and so its sysctls) exists only once the tunnel is up.
const addresses = await convergeAddresses(runCommand, request.addresses, request.tunnels, request.owned);
const sysctls = await convergeSysctls(request.sysctls, request.memory);
process.stdout.write(JSON.stringify({ addresses, sysctls }));
