// Bundles release-cli (packages/cli/dist/run.js, the @relkit/* packages it imports from their
// built dist/, and the third-party packages they use) into packages/cli/dist/bundle/: an entry
// plus chunks per command group, loaded on demand as before. Why: resolving and loading small
// modules costs more at every start than running them (module resolution, package.json lookups,
// one file read each): zod alone is ~95 files, @sigstore/* ~60, Octokit ~20, all on the path of
// every promote (`npm run bench -- promote` prints the time before the first request).
//
//   node tools/bundle-cli.mjs        (run by @relkit/cli's build, after tsc)
import { execFileSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const cli = fileURLToPath(new URL('../packages/cli/', import.meta.url));
const { version, repository } = JSON.parse(await readFile(new URL('package.json', `file://${cli}`), 'utf8'));

/**
 * Which relkit this is (packages/cli/src/build-info.ts): `release-cli init` pins relkit's action
 * to this commit. Without git (a source tarball) there is none, and init falls back to the tag.
 */
function buildInfo() {
  const m = /github\.com[:/]([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/.exec(repository?.url ?? '');
  if (!m)
    throw new Error('packages/cli/package.json has no GitHub "repository": update tools/bundle-cli.mjs');
  let commit;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: cli,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    commit = undefined;
  }
  return {
    repository: `${m[1]}/${m[2]}`,
    ...(/^[0-9a-f]{40}$/.test(commit ?? '') ? { commit } : {}),
    version,
  };
}

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

/** What both bundles below share. */
const common = {
  absWorkingDir: cli,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // Subpath exports of workspace packages resolve to their dist/ (the "default" condition).
  conditions: ['default'],
  legalComments: 'none',
  sourcemap: false,
  // Names are kept (readable stack traces); whitespace and comments go, and non-ASCII text is
  // escaped: every start reads, decodes and hashes (for the compile cache) each chunk it loads,
  // and one third less text, mostly one-byte, is ~1–1.5 ms less CPU before promote's first
  // request (median of 40 loads of the release group's chunks).
  minify: false,
  minifyWhitespace: true,
  charset: 'ascii',
  logLevel: 'warning',
  define: { __RELKIT_BUILD_INFO__: JSON.stringify(buildInfo()) },
  // Third-party modules are bundled too; their CommonJS parts require() Node's built-ins.
  banner: {
    js: [
      "import { createRequire as __relkitCreateRequire } from 'node:module';",
      'const require = __relkitCreateRequire(import.meta.url);',
    ].join('\n'),
  },
};

// Chunk names carry content hashes: start clean so no stale chunk stays behind.
await rm(new URL('dist/bundle', `file://${cli}`), { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { 'release-cli': 'dist/run.js' },
  outdir: 'dist/bundle',
  splitting: true,
  plugins: [inlineVersion],
});

/**
 * The image-tag bundle: main.js sees commands/image-tag-only.js in place of commands/index.js,
 * so only the image commands and the registry client are in it. Fails the build when main.js
 * no longer imports the command list that way.
 */
const imageTagCommandsOnly = {
  name: 'image-tag-commands-only',
  setup(b) {
    let replaced = false;
    b.onResolve({ filter: /^\.\/commands\/index\.js$/ }, (a) => {
      if (!/packages[\\/]cli[\\/]dist[\\/]main\.js$/.test(a.importer)) return undefined;
      replaced = true;
      return { path: fileURLToPath(new URL('dist/commands/image-tag-only.js', `file://${cli}`)) };
    });
    b.onEnd((result) => {
      if (!replaced && result.errors.length === 0)
        throw new Error('main.js no longer imports ./commands/index.js: update tools/bundle-cli.mjs');
    });
  },
};

// `release-cli image tag` (bin/release-cli.js loads this one for it): one file, no chunks.
// Whatever the run needs, the registry client included, is in it, so Node resolves, reads and
// compiles one module instead of the main entry and the five chunks that come after it
// (~1 ms each on the path of a retag that takes ~60 ms on loopback; issue 18).
await build({
  ...common,
  entryPoints: { 'image-tag': 'dist/run.js' },
  outdir: 'dist/bundle',
  splitting: false,
  plugins: [inlineVersion, imageTagCommandsOnly],
});
