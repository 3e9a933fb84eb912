// Bundles release-cli's own code (packages/cli/dist/run.js and the @relkit/* packages it
// imports, from their built dist/) into packages/cli/dist/bundle/: an entry plus one chunk per
// command group, loaded on demand as before. Third-party packages stay external (resolved from
// node_modules at run time). Why: resolving and loading ~25 small ES modules costs more at every
// start than running them (module resolution, package.json lookups, one file read each); a
// bundle is a few files (`npm run bench -- registry` prints the start-up accounting).
//
//   node tools/bundle-cli.mjs        (run by @relkit/cli's build, after tsc)
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const cli = fileURLToPath(new URL('../packages/cli/', import.meta.url));
const { version } = JSON.parse(await readFile(new URL('package.json', `file://${cli}`), 'utf8'));

/**
 * main.js reads its version from ../package.json next to its own file; from dist/bundle/ that
 * is another file, so the version is inlined (as tools/build-action.mjs does). Fails the build
 * when main.js no longer reads it that way.
 */
const inlineVersion = {
  name: 'inline-cli-version',
  setup(b) {
    b.onLoad({ filter: /packages[\\/]cli[\\/]dist[\\/]main\.js$/ }, async (a) => {
      const text = await readFile(a.path, 'utf8');
      const re = /JSON\.parse\(readFileSync\(new URL\('\.\.\/package\.json', import\.meta\.url\), 'utf8'\)\)/;
      if (!re.test(text))
        throw new Error('main.js no longer reads ../package.json as expected: update tools/bundle-cli.mjs');
      return { contents: text.replace(re, JSON.stringify({ version })), loader: 'js' };
    });
  },
};

// Chunk names carry content hashes: start clean so no stale chunk stays behind.
await rm(new URL('dist/bundle', `file://${cli}`), { recursive: true, force: true });
await build({
  absWorkingDir: cli,
  entryPoints: { 'release-cli': 'dist/run.js' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // Subpath exports of workspace packages resolve to their dist/ (the "default" condition).
  conditions: ['default'],
  legalComments: 'none',
  sourcemap: false,
  minify: false,
  charset: 'utf8',
  logLevel: 'warning',
  // Third-party modules are bundled too; their CommonJS parts require() Node's built-ins.
  banner: {
    js: [
      "import { createRequire as __relkitCreateRequire } from 'node:module';",
      'const require = __relkitCreateRequire(import.meta.url);',
    ].join('\n'),
  },
  plugins: [inlineVersion],
});
