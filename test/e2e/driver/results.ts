// results.json: one entry per check (name, ok, details, measured figures), rewritten after every
// check so that a run cut short still reports what it got to.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { outDir } from './env.js';
import { log } from './exec.js';

export interface CheckResult {
  id: string;
  name: string;
  ok: boolean;
  details: string;
  figures: Record<string, number | string>;
  seconds: number;
}

/** What a check body gets: notes become the details, figures the measured numbers. */
export class Check {
  readonly notes: string[] = [];
  readonly figures: Record<string, number | string> = {};
  readonly failures: string[] = [];

  note(line: string): void {
    this.notes.push(line);
  }

  figure(name: string, value: number | string): void {
    this.figures[name] = typeof value === 'number' ? Math.round(value * 1000) / 1000 : value;
  }

  /** Records a failed expectation and goes on (a check reports everything it saw). */
  expect(ok: boolean, what: string): boolean {
    if (!ok) this.failures.push(what);
    return ok;
  }
}

export class Results {
  private readonly entries: CheckResult[] = [];

  async check(id: string, name: string, body: (c: Check) => Promise<void>): Promise<boolean> {
    const c = new Check();
    const start = Date.now();
    log(`=== check ${id}: ${name}`);
    try {
      await body(c);
    } catch (e) {
      c.failures.push(e instanceof Error ? e.message : String(e));
    }
    return this.record(id, name, c, (Date.now() - start) / 1000);
  }

  /** Records a check whose body ran elsewhere (two checks observed in one experiment). */
  record(id: string, name: string, c: Check, seconds = 0): boolean {
    const ok = c.failures.length === 0;
    const details = [...c.failures.map((f) => `FAILED: ${f}`), ...c.notes].join('\n');
    this.add({ id, name, ok, details, figures: c.figures, seconds });
    return ok;
  }

  /** A check that could not run (the agent is missing, or what it needs failed before). */
  notRun(id: string, name: string, why: string): void {
    this.add({ id, name, ok: false, details: `not run: ${why}`, figures: {}, seconds: 0 });
  }

  private add(result: CheckResult): void {
    log(
      `=== ${result.ok ? 'PASS' : 'FAIL'} ${result.id} (${result.seconds} s): ${result.details.split('\n')[0] ?? ''}`,
    );
    const existing = this.entries.findIndex((e) => e.id === result.id);
    if (existing >= 0) this.entries[existing] = result;
    else this.entries.push(result);
    this.entries.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
    writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(this.entries, null, 2)}\n`);
  }

  get allOk(): boolean {
    return this.entries.every((e) => e.ok);
  }
}
