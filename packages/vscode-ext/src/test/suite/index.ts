// Loaded by a real VS Code extension host through extensionTestsPath (tools/vscode-host/e2e.mjs,
// or @vscode/test-electron's runTests where VS Code can be downloaded): the same run() contract.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  for (const f of fs.readdirSync(__dirname).sort()) {
    if (f.endsWith('.e2e.cjs')) mocha.addFile(path.join(__dirname, f));
  }
  return new Promise((resolve, reject) => {
    const results: { title: string; state: string; err?: string }[] = [];
    const runner = mocha.run((failures) => {
      const out = process.env.VSCODE_E2E_RESULTS;
      if (out) fs.writeFileSync(out, JSON.stringify({ failures, results }, null, 2));
      if (failures) reject(new Error(`${failures} tests failed.`));
      else resolve();
    });
    runner.on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed' }));
    runner.on('fail', (t, err: unknown) =>
      results.push({ title: t.fullTitle(), state: 'failed', err: String(err) }),
    );
  });
}
