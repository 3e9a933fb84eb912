#!/usr/bin/env node
// `npm test` after setup: build, typecheck, lint, unit + integration tests (Nx), the VS Code
// end-to-end test and the format check. A passing run prints one line per stage (and, when the
// output is not a terminal, a sign of life every minute); everything the tools print goes to
// .relkit-tmp/test.log. A failing stage prints the log's tail and the command to see it all.
// RELKIT_TEST_VERBOSE=1 streams everything as it comes instead.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const LOG = join(root, '.relkit-tmp', 'test.log');
const verbose = process.env.RELKIT_TEST_VERBOSE === '1';
const bin = (name) => join(root, 'node_modules', '.bin', name);
const say = (msg) => process.stdout.write(`[test] ${msg}\n`);

const stages = [
  [
    'build, typecheck, lint, unit + integration tests',
    bin('nx'),
    ['run-many', '-t', 'build', 'typecheck', 'lint', 'test', '--outputStyle=stream'],
  ],
  ['VS Code end-to-end test', 'npm', ['run', 'test:e2e', '-w', 'relkit-vscode']],
  ['format check', bin('prettier'), ['--check', '.', '--log-level', 'warn']],
];

mkdirSync(dirname(LOG), { recursive: true });
writeFileSync(LOG, '');
const env = { ...process.env, NX_DAEMON: process.env.NX_DAEMON ?? 'false', NX_TUI: 'false' };
for (const [stage, cmd, args] of stages) {
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  appendFileSync(LOG, `\n=== ${stage}: ${cmd} ${args.join(' ')}\n`);
  say(`${stage} …`);
  const alive =
    verbose || process.stdout.isTTY
      ? undefined
      : setInterval(() => say(`${stage}: still running (${seconds()}s)`), 60_000);
  const code = await new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const sink = (stream) => (d) => {
      appendFileSync(LOG, d);
      if (verbose) stream.write(d);
    };
    child.stdout.on('data', sink(process.stdout));
    child.stderr.on('data', sink(process.stderr));
    child.on('error', (e) => {
      appendFileSync(LOG, `${e.message}\n`);
      resolve(1);
    });
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (alive) clearInterval(alive);
  if (code !== 0) {
    if (!verbose) {
      const lines = readFileSync(LOG, 'utf8').trimEnd().split('\n');
      process.stdout.write(`${lines.slice(-150).join('\n')}\n`);
    }
    say(`${stage} FAILED (exit ${code}, ${seconds()}s); everything it printed: .relkit-tmp/test.log`);
    process.exit(1);
  }
  say(`${stage} passed (${seconds()}s)`);
}

// One closing line with the totals, so a reader (and CI) sees how many tests ran: the vitest
// summaries of every package plus the VS Code end-to-end checks.
const log = readFileSync(LOG, 'utf8').replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex
let passed = 0;
let failed = 0;
for (const m of log.matchAll(/Tests\s+(?:(\d+) failed \| )?(\d+) passed/g)) {
  failed += Number(m[1] ?? 0);
  passed += Number(m[2]);
}
for (const m of log.matchAll(/^(\d+) passed, (\d+) failed$/gm)) {
  passed += Number(m[1]);
  failed += Number(m[2]);
}
process.stdout.write(`tests: ${passed} passed, ${failed} failed\n`);
