// The layers of src/ (.dependency-cruiser.cjs, run by `npm run lint`): each rule is shown to catch a
// violation planted in a scratch tree of the same shape, and the real tree to have none.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const config = join(root, '.dependency-cruiser.cjs');
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');
const rules = (createRequire(import.meta.url)(config) as { forbidden: { name: string }[] }).forbidden.map(
  (r) => r.name,
);

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** depcruise's violations for src/ under `dir`, as the lint run sees them. */
function violations(dir: string): Violation[] {
  const run = spawnSync(process.execPath, [depcruise, 'src', '--config', config, '--output-type', 'json'], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(run.stdout, run.stderr).not.toBe('');
  return (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

/** One planted violation per rule: the file, its imports, and the rule that must name it. */
const PLANTED: { file: string; text: string; rule: string; to: string }[] = [
  {
    file: 'src/core/reads-files.ts',
    text: "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
    rule: 'core-is-pure',
    to: 'fs',
  },
  {
    file: 'src/core/uses-the-agent.ts',
    text: "import { agent } from '../node/agent.js';\nexport const a = agent;\n",
    rule: 'core-imports-only-core',
    to: 'src/node/agent.ts',
  },
  {
    file: 'src/core/uses-the-client.ts',
    text: "import { KubeConfig } from '@kubernetes/client-node';\nexport const k = KubeConfig;\n",
    rule: 'core-has-no-kubernetes-client-or-metrics',
    to: 'node_modules/@kubernetes/client-node',
  },
  {
    file: 'src/node/agent.ts',
    text: "import '../cluster/leader.js';\nexport const agent = 1;\n",
    rule: 'node-does-not-import-cluster',
    to: 'src/cluster/leader.ts',
  },
  {
    file: 'src/cluster/leader.ts',
    text: "import '../node/probe.js';\n",
    rule: 'cluster-does-not-import-node',
    to: 'src/node/probe.ts',
  },
  { file: 'src/node/probe.ts', text: 'export const probe = 1;\n', rule: '', to: '' },
  {
    file: 'src/kube/client.ts',
    text: "import '../node/probe.js';\n",
    rule: 'shared-edges-import-no-binary',
    to: 'src/node/probe.ts',
  },
  { file: 'src/io/log.ts', text: "import '../cli/main.js';\n", rule: 'nothing-imports-the-cli', to: 'src/cli/main.ts' },
  { file: 'src/cli/main.ts', text: 'export const main = 1;\n', rule: '', to: '' },
  {
    file: 'src/core/a/one.ts',
    text: "import './two.js';\nexport const one = 1;\n",
    rule: 'no-cycles',
    to: 'src/core/a/two.ts',
  },
  { file: 'src/core/a/two.ts', text: "import './one.js';\nimport '../b/three.js';\n", rule: '', to: '' },
  { file: 'src/core/b/three.ts', text: 'export const three = 3;\n', rule: '', to: '' },
  { file: 'src/core/b/four.ts', text: "import '../a/five.js';\n", rule: 'no-folder-cycles', to: 'src/core/' },
  { file: 'src/core/a/five.ts', text: 'export const five = 5;\n', rule: '', to: '' },
  { file: 'src/core/typo.ts', text: "import './nowhere.js';\n", rule: 'no-unresolvable', to: './nowhere.js' },
];

const scratch = mkdtempSync(join(tmpdir(), 'lvs-layers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the layers of src/', () => {
  it('has a planted violation for every rule it keeps', () => {
    expect(new Set(PLANTED.map((p) => p.rule).filter(Boolean))).toEqual(new Set(rules));
  });

  it('catches each planted violation, by rule and by the import that breaks it', () => {
    for (const { file, text } of PLANTED) {
      mkdirSync(dirname(join(scratch, file)), { recursive: true });
      writeFileSync(join(scratch, file), text);
    }
    cpSync(join(root, 'tsconfig.json'), join(scratch, 'tsconfig.json'));
    symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'));
    const found = violations(scratch);
    for (const planted of PLANTED.filter((p) => p.rule)) {
      // a folder rule names folders, the others the planted file itself
      const from = planted.rule === 'no-folder-cycles' ? /^src\/core\/[ab]$/ : new RegExp(`^${planted.file}$`);
      const hit = found.find((v) => v.rule.name === planted.rule && from.test(v.from));
      expect(hit, `${planted.rule} on ${planted.file}`).toBeDefined();
      expect(hit?.to).toContain(planted.to);
    }
    // and nothing the plant did not intend: every violation found belongs to a planted rule
    expect(new Set(found.map((v) => v.rule.name))).toEqual(new Set(rules));
  });

  it('finds no violation in the real tree', () => {
    expect(violations(root).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
  });

  it('lets the core use node:net for its address predicates only', async () => {
    const eslint = new ESLint({ cwd: root });
    const lint = async (text: string) =>
      (await eslint.lintText(text, { filePath: join(root, 'src/core/planted.ts') }))[0]!.messages.map((m) => m.ruleId);
    expect(await lint("import { isIPv4 } from 'node:net';\nexport const v4 = isIPv4;\n")).toEqual([]);
    expect(await lint("import { connect } from 'node:net';\nexport const c = connect;\n")).toEqual([
      'no-restricted-imports',
    ]);
  });
});
