// A fake of the tools the IPVS driver runs, built from the pure model of ipvsadm (save format and
// the restore simulator, which was checked line for line against the real kernel): lets the
// agent loop be tested without a kernel. The real thing is tested in test/e2e.
import type { CommandOutput, RunCommand } from '../../../src/dataplane/command.js';
import type { IpvsTable } from '../../../src/ipvs/model.js';
import { applyRestoreLines } from '../../../src/ipvs/restore-sim.js';
import { renderSave } from '../../../src/ipvs/save-format.js';

export class FakeIpvsKernel {
  table: IpvsTable = { services: [] };
  readonly batches: string[][] = [];
  /** Lines the "kernel" refuses, as ipvsadm -R would: its message on stderr, the rest applied, exit 0. */
  refuse: (line: string) => string | false = () => false;

  run: RunCommand = async (argv, options): Promise<CommandOutput> => {
    const cmd = argv.join(' ');
    if (cmd === 'ipvsadm -S -n') return { code: 0, stdout: renderSave(this.table), stderr: '' };
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
}
