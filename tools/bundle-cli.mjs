// Bundles release-cli's own code (packages/cli/dist/run.js and the @relkit/* packages it
// imports, from their built dist/) into packages/cli/dist/bundle/: an entry plus one chunk per
// command group, loaded on demand as before. Third-party packages stay external (resolved from
// node_modules at run time). Why: resolving and loading ~25 small ES modules costs more at every
// start than running them (module resolution, package.json lookups, one file read each); a
// bundle is a few files (`npm run bench -- registry` prints the start-up accounting).
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

/** Bare imports other than @relkit/* (and built-ins) stay imports: only relkit's code is bundled. */
const thirdPartyExternal = {
  name: 'third-party-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (a) =>
      a.path.startsWith('@relkit/') ? undefined : { path: a.path, external: true },
    );
  },
};

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
  define: { __RELKIT_BUILD_INFO__: JSON.stringify(buildInfo()) },
  plugins: [thirdPartyExternal, inlineVersion],
});
