// A fake of the tools the ipvsadm implementation of the IPVS interface runs, built from the pure model of ipvsadm (save format and
// the restore simulator, which was checked line for line against the real kernel): lets the
// agent loop be tested without a kernel. The real thing is tested in test/e2e.
import type { CommandOutput, RunCommand } from '../../../src/node/dataplane/command.js';
import type { IpvsTable } from '../../../src/core/ipvs/model.js';
import { applyRestoreLines } from '../../../src/core/ipvs/restore-sim.js';
import { renderSave } from '../../../src/core/ipvs/save-format.js';

export class FakeIpvsKernel {
  table: IpvsTable = { services: [] };
  readonly batches: string[][] = [];
  /** Lines the "kernel" refuses, as ipvsadm -R would: its message on stderr, the rest applied, exit 0. */
  refuse: (line: string) => string | false = () => false;
  /** Connections per destination `address:port` (every service), for `ipvsadm -L -n --exact`. */
  connections = new Map<string, number>();

  /** Every command run, in order. */
  readonly commands: string[] = [];

  run: RunCommand = async (argv, options): Promise<CommandOutput> => {
    const cmd = argv.join(' ');
    this.commands.push(cmd);
    if (cmd === 'ipvsadm -S -n') return { code: 0, stdout: renderSave(this.table), stderr: '' };
    if (cmd === 'ipvsadm -L -n --exact') return { code: 0, stdout: this.listing(), stderr: '' };
    if (cmd === 'ipvsadm -R') {
      const lines = (options?.input ?? '').split('\n').filter(Boolean);
      this.batches.push(lines);
      let stderr = '';
      for (const line of lines) {
        const refusal = this.refuse(line);
        if (refusal) {
          stderr += `${refusal}\n`;
          continue;
        }
        try {
          this.table = applyRestoreLines(this.table, [line]);
        } catch (error) {
          // Like ipvsadm -R after a kernel error ("Service not defined"): report it and go on.
          stderr += `${(error as Error).message}\n`;
        }
      }
      return { code: 0, stdout: '', stderr };
    }
    throw new Error(`unexpected command ${cmd}`);
  };

  /** ipvsadm's default listing; all connections counted as inactive. */
  private listing(): string {
    const lines = [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
    ];
    for (const s of this.table.services) {
      lines.push(`${s.protocol}  ${s.address}:${s.port} ${s.scheduler}`);
      for (const d of s.destinations) {
        const n = this.connections.get(`${d.address}:${d.port}`) ?? 0;
        lines.push(`  -> ${`${d.address}:${d.port}`.padEnd(28)} Route   ${d.weight}      0          ${n}`);
      }
    }
    return lines.join('\n') + '\n';
  }
}
