// What the agent needs from the system, as one small interface per concern, so the loop can be
// tested with fakes and each real driver stays small (kube-proxy's ipvs interface is the model).
import type { AddressPlan, LVSNodeSpec, SysctlPlan, TunnelPlan } from '../core/api/objects.js';
import type { IpvsTable } from '../core/ipvs/model.js';
import type { IpvsConvergeResult } from './ipvs/converge.js';

export type VrrpState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'UNKNOWN';

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
  ipvs: {
    converge(
      desired: IpvsTable,
      owned: Set<string>,
      adjust?: (actual: IpvsTable, desired: IpvsTable) => Promise<IpvsTable>,
      /** false: diff against the table as last known (a plan or health change); true: read it (a resync). */
      observe?: boolean,
    ): Promise<IpvsConvergeResult>;
    connectionCounts(): Promise<Map<string, number>>;
  };
  syncDaemons(wanted: { interface: string; syncID: number } | undefined): Promise<unknown>;
  vrrp: VrrpDriver;
}
