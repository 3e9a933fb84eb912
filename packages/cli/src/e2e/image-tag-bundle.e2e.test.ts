// `release-cli image tag` runs from a bundle of its own (dist/bundle/image-tag.js, built by
// tools/bundle-cli.mjs): one file instead of the main entry and its chunks, and the launcher
// enables the compile cache without loading node:os. The real process: only that one file of
// the bundles loads, and everything it prints is what the main bundle prints for the same
// arguments. (early-image-tag.e2e.test.ts compares the registry outcomes the same way.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runIsolated } from './isolated-run.js';
import { pushTestImage, startRegistry, type LocalRegistry, type PushedImage } from '@relkit/testkit';

const BIN = fileURLToPath(new URL('../../bin/release-cli.js', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../../dist/bundle/release-cli.js', import.meta.url));
/** Reports on stderr every module file the process resolves, and at exit whether node:os loaded. */
const WATCH_LOADS = `data:text/javascript,${encodeURIComponent(
  [
    "process.getBuiltinModule('node:module').registerHooks({ resolve(s, c, next) { const r = next(s, c); if (r.url.startsWith('file:')) process._rawDebug('[loaded] ' + r.url); return r; } });",
    "process.on('exit', () => process._rawDebug('[node:os ' + (process.moduleLoadList.includes('NativeModule os') ? 'loaded' : 'not loaded') + ']'));",
  ].join('\n'),
)}`;

const run = runIsolated;
/** The bundle files a run loaded, by name. */
const bundleFiles = (stderr: string) =>
  [...stderr.matchAll(/^\[loaded\] (\S+)$/gm)]
    .map((m) => fileURLToPath(m[1]!))
    .filter((f) => f.includes(join('dist', 'bundle')))
    .map((f) => f.slice(f.lastIndexOf(join('dist', 'bundle')) + 'dist/bundle/'.length));

describe('release-cli image tag runs from its own one-file bundle', { timeout: 120_000 }, () => {
  let registry: LocalRegistry;
  let image: PushedImage;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'none' });
    image = await pushTestImage(registry, { repository: 'acme/app', tag: '1.2.3', seed: 'bundle' });
  }, 120_000);
  afterAll(async () => {
    await registry?.stop();
  });

  it('loads image-tag.js and no other bundle file, and not node:os', async () => {
    const r = await run(BIN, ['image', 'tag', `${registry.host}/acme/app:1.2.3`, 'bundled'], {}, [
      '--import',
      WATCH_LOADS,
    ]);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toBe(`${registry.host}/acme/app:bundled → ${image.digest} (was nothing)\n`);
    expect(bundleFiles(r.stderr)).toEqual(['image-tag.js']);
    expect(r.stderr).toContain('[node:os not loaded]');
    // Every other command still runs from the main bundle.
    const digest = await run(BIN, ['image', 'digest', `${registry.host}/acme/app:bundled`], {}, [
      '--import',
      WATCH_LOADS,
    ]);
    expect(digest.stdout).toBe(`${image.digest}\n`);
    expect(bundleFiles(digest.stderr)).toContain('release-cli.js');
    expect(bundleFiles(digest.stderr)).not.toContain('image-tag.js');
  });

  it.each([
    [['image', 'tag', '--help']],
    [['image', 'tag', '-h']],
    [['image', 'tag']],
    [['image', 'tag', '--json']],
    [['image', 'tag', 'a', 'b', 'c']],
    [['image', 'tag', 'NOT::A/REF', 'latest']],
    [['image', 'tag', 'NOT::A/REF', 'latest', '--json']],
    [['image', 'tag', 'localhost:5000/acme/app:1.2.3', 'bad tag!']],
    [['image', 'tag', 'localhost:5000/acme/app:1.2.3', 'latest', '--bogus']],
    [['image', 'tag', 'localhost:5000/acme/app:1.2.3', 'latest', '--timeout', 'soon']],
  ])('%j: the same output and exit code as the main bundle', async (args) => {
    const [own, main] = await Promise.all([run(BIN, args), run(BUNDLE, args)]);
    expect(own).toEqual(main);
  });

  it('the compile cache is where Node puts it by itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relkit-tmpdir-'));
    const cacheDir = (stderr: string) => /\[compile cache\] resolved path (\S+)/.exec(stderr)?.[1];
    try {
      for (const env of <Record<string, string>[]>[
        { TMPDIR: `${dir}/` },
        { TMPDIR: '', TMP: dir },
        { NODE_COMPILE_CACHE: join(dir, 'own') },
      ]) {
        const debug = { ...env, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' };
        const [cli, node] = await Promise.all([
          run(BIN, ['image', 'tag', '--help'], debug),
          run('-e', ["process.getBuiltinModule('node:module').enableCompileCache()"], debug),
        ]);
        expect(cli.code, describeRun(cli)).toBe(0);
        expect(cacheDir(cli.stderr)).toBeDefined();
        expect(cacheDir(cli.stderr), JSON.stringify(env)).toBe(cacheDir(node.stderr));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
