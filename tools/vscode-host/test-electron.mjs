#!/usr/bin/env node
// The same extension-host suite (packages/vscode-ext/out/test/suite) through @vscode/test-electron's
// runTests(), for machines with a desktop VS Code. It needs either an installed VS Code
// (VSCODE_EXECUTABLE_PATH=/path/to/code) or permission to download one from
// update.code.visualstudio.com (RELKIT_ALLOW_VSCODE_DOWNLOAD=1); without either it prints why it
// skips and exits 0, because the tests here must never contact an address other than 127.0.0.1.
// The offline path that always runs is tools/vscode-host/e2e.mjs (code-server + chromium).
//
// usage: node tools/vscode-host/test-electron.mjs [--ext packages/vscode-ext] [--fallback-world]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { fileURLToPath } from 'node:url';
import { startWorld } from './world.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values: opt } = util.parseArgs({
  options: {
    ext: { type: 'string', default: path.join(root, 'packages/vscode-ext') },
    'fallback-world': { type: 'boolean', default: false },
  },
});
const exe = process.env.VSCODE_EXECUTABLE_PATH;
const allowDownload = process.env.RELKIT_ALLOW_VSCODE_DOWNLOAD === '1';
if (!exe && !allowDownload) {
  console.log(
    'test-electron: skipped — no desktop VS Code here: set VSCODE_EXECUTABLE_PATH to an installed `code`, or ' +
      'RELKIT_ALLOW_VSCODE_DOWNLOAD=1 to let @vscode/test-electron download one (this machine has no internet; ' +
      'tools/vscode-host/e2e.mjs runs the same suite in code-server instead)',
  );
  console.log('0 passed, 0 failed');
  process.exit(0);
}
if (exe && !fs.existsSync(exe)) {
  console.error(`test-electron: VSCODE_EXECUTABLE_PATH=${exe} does not exist`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const extDir = path.resolve(opt.ext);
const suite = path.join(extDir, 'out/test/suite/index.cjs');
const log = (...a) => console.log('[test-electron]', ...a);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'relkit-test-electron-'));
const resultsFile = path.join(tmp, 'results.json');
let world;
let exitCode = 1;
try {
  const { runTests } = await import('@vscode/test-electron');
  world = await startWorld({ extDir, dir: tmp, log, preferFallback: opt['fallback-world'] });
  exitCode = await runTests({
    ...(exe ? { vscodeExecutablePath: exe } : { version: 'stable' }),
    extensionDevelopmentPath: extDir,
    extensionTestsPath: suite,
    launchArgs: [world.workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', path.join(tmp, 'user')],
    extensionTestsEnv: { ...world.env, RELKIT_E2E_VERSION: world.version, VSCODE_E2E_RESULTS: resultsFile },
  });
} catch (e) {
  console.error(e);
} finally {
  await world?.stop().catch(() => {});
}
const r = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : { results: [], failures: 1 };
fs.rmSync(tmp, { recursive: true, force: true });
const passed = r.results.filter((x) => x.state === 'passed').length;
console.log(`${passed} passed, ${exitCode === 0 ? r.failures : Math.max(1, r.failures)} failed`);
process.exit(exitCode === 0 && r.failures === 0 ? 0 : 1);
