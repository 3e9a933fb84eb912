// Bundles the extension with esbuild (VS Code loads one CommonJS file; vsce packages with
// --no-dependencies, so everything the extension needs is inside dist/):
//   dist/extension.cjs  the entry: store, view model, tree, commands (no adapters: fast activation)
//   dist/adapters.cjs   connectRelease with the registry / sigstore / GitHub adapters, loaded on first use
//   out/test/suite/*.cjs the mocha suite run inside a real extension host (tools/vscode-host/e2e.mjs)
//   out/test/fixture-connect.cjs a connectRelease stand-in for those tests
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: 'linked',
  logLevel: 'warning',
  // ESM dependencies bundled into CommonJS: give import.meta.url its CommonJS meaning
  define: { 'import.meta.url': '__relkit_import_meta_url' },
  banner: { js: 'const __relkit_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  outExtension: { '.js': '.cjs' },
};

rmSync(join(here, 'dist'), { recursive: true, force: true });
rmSync(join(here, 'out'), { recursive: true, force: true });
const t0 = performance.now();
const ext = await build({
  ...common,
  entryPoints: { extension: 'src/extension.ts', adapters: 'src/adapters.ts' },
  outdir: 'dist',
  external: ['vscode'],
  metafile: true,
  minify: process.argv.includes('--minify'),
});
const suiteDir = join(here, 'src/test/suite');
await build({
  ...common,
  entryPoints: readdirSync(suiteDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(suiteDir, f)),
  outdir: 'out/test/suite',
  bundle: true,
  external: ['vscode', 'mocha'],
});
// the connectRelease stand-in the host tests stage in place of dist/adapters.cjs (not in the .vsix)
await build({
  ...common,
  entryPoints: { 'fixture-connect': 'src/test/fixture-connect.ts' },
  outdir: 'out/test',
});
for (const [file, o] of Object.entries(ext.metafile.outputs)) {
  if (file.endsWith('.cjs')) console.log(`${file}: ${(o.bytes / 1024).toFixed(0)} KiB`);
}
console.log(`bundled in ${Math.round(performance.now() - t0)} ms`);
