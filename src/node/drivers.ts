// What the agent needs from the system, as one small interface per concern, so the loop can be
// tested with fakes and each real driver stays small (kube-proxy's ipvs interface is the model).
import type { AddressPlan, LVSNodeSpec, SysctlPlan, TunnelPlan } from '../core/api/objects.js';
import type { IpvsInterface } from './ipvs/interface.js';
import type { VrrpState } from '../core/api/vrrp.js';

export interface VrrpDriver {
  ensure(spec: LVSNodeSpec): Promise<{ action: string; error?: string }>;
  states(): Map<string, { state: VrrpState; since: Date }>;
  /** The interface of the instance with this VRID: the plan's, or the one holding its source address. */
  interfaceFor(spec: LVSNodeSpec, virtualRouterID: number): Promise<string | undefined>;
  stop(options: { release: boolean }): Promise<void>;
  /** Called on every VRRP state transition. */
  onChange?(listener: () => void): void;
}

export interface AgentDrivers {
  loadModule(name: string): Promise<void>;
  sysctls(
    desired: SysctlPlan[],
    originals: Record<string, string>,
  ): Promise<{ memory: Record<string, string>; errors: { name: string; value: string; message: string }[] }>;
  addresses(
    desired: AddressPlan[],
    tunnels: TunnelPlan[],
    owned: AddressPlan[],
  ): Promise<{ owned: AddressPlan[]; errors: { interface: string; address?: string; message: string }[] }>;
  /** Every IPVS read and write; the agent converges the table over it (ipvs/converge.ts). */
  ipvs: IpvsInterface;
  syncDaemons(wanted: { interface: string; syncID: number } | undefined): Promise<unknown>;
  vrrp: VrrpDriver;
}
