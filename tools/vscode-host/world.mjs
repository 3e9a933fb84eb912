// The release world the extension-host tests run against.
//
// Preferred: the project's full world, `startReleaseWorld()` from @relkit/testkit:
// the real local registry, the GitHub simulator and the sigstore mock with a signed two-platform
// release published, reached by the extension through the real connectRelease.
//
// On request only (--fallback-world), a reduced world: the real local docker-registry (from @relkit/testkit) with two
// two-platform images (1.2.2 = latest, 1.2.3 = published, not promoted), and GitHub + signature
// verification as a JSON file served to the extension by a connectRelease stand-in
// (packages/vscode-ext/out/test/fixture-connect.cjs). A world with another connectRelease names
// it in `connectModule`; e2e.mjs stages it as the extension's dist/adapters.cjs
// (connect-override.mjs): the extension has no env var or setting to load another module.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const VERSION = '1.2.3';
const PREVIOUS = '1.2.2';

async function importOptional(name) {
  try {
    return await import(name);
  } catch {
    return undefined;
  }
}

/**
 * The full world needs two things from the project: startReleaseWorld() (@relkit/testkit) and
 * the real connectRelease (@relkit/connect, built), which the extension's adapters bundle calls.
 */
async function findFullWorld(log, connectModule) {
  const testkit = await importOptional('@relkit/testkit');
  const cli = connectModule ? await importOptional(path.resolve(connectModule)) : await importOptional('@relkit/connect');
  const missing = [];
  if (typeof testkit?.startReleaseWorld !== 'function') missing.push('startReleaseWorld() in @relkit/testkit');
  if (typeof (cli?.connectRelease ?? cli?.default?.connectRelease) !== 'function') {
    missing.push(`connectRelease() in ${connectModule ?? 'the built @relkit/connect'}`);
  }
  if (missing.length === 0) return testkit.startReleaseWorld;
  log(`release world: missing ${missing.join(' and ')}`);
  return undefined;
}

/**
 * Starts the world. Returns {kind, connectModule?, version, workspace, env, secrets, previousDigest, versionDigest,
 * latestDigest(), gitHubState(), reset(), stop()}; `env` is what the VS Code server (and so the
 * extension host) gets; `workspace` is the folder VS Code opens (it holds release.config.json).
 */
export async function startWorld({ extDir, dir, log, preferFallback = false, connectModule }) {
  const start = preferFallback ? undefined : await findFullWorld(log, connectModule);
  if (start) {
    log(`release world: startReleaseWorld() (registry + GitHub simulator + sigstore mock) with connectRelease from ${connectModule ?? '@relkit/connect'}`);
    const world = await fullWorld(await start());
    if (connectModule) world.connectModule = path.resolve(connectModule);
    return world;
  }
  // Never degrade silently to the stand-in: only an explicit --fallback-world uses it.
  if (!preferFallback) throw new Error('the full release world is not available (see the line above); build the workspace first');
  log('release world: fallback (real registry; GitHub and signatures as a JSON file; connectRelease stand-in)');
  return fallbackWorld({ extDir, dir });
}

/** The project's world (packages/testkit/src/world.ts): published X.Y.Z, latest at the previous version. */
async function fullWorld(w) {
  const { skopeoDigest } = await import('@relkit/testkit');
  const repo = w.imageRepository;
  const secrets = [w.github.pushToken, w.github.readToken, w.registry.credentials?.password].filter(Boolean);
  return {
    kind: 'full',
    version: w.version,
    previous: w.previous,
    workspace: w.workspace,
    env: { ...w.env },
    secrets,
    versionDigest: w.images.version.digest,
    previousDigest: w.images.previous.digest,
    latestDigest: () => skopeoDigest(w.registry, `${repo}:latest`),
    async gitHubState() {
      const release = w.github.releases(w.repository).find((r) => r.tag === w.version);
      return { releasePublished: release ? !release.draft : false, pullMerged: w.github.pull(w.repository, w.pullRequest).merged };
    },
    // the extension tests do not change the world; nothing to reset between the two passes
    async reset() {},
    stop: () => w.stop(),
  };
}

async function fallbackWorld({ extDir, dir }) {
  const { startRegistry, pushTestImage, skopeoDigest, OciWriter } = await import('@relkit/testkit');
  const connectModule = path.join(extDir, 'out/test/fixture-connect.cjs');
  if (!fs.existsSync(connectModule)) throw new Error(`${connectModule} is missing: run the extension build first`);
  const registry = await startRegistry({ auth: 'none' });
  try {
    const repository = 'acme/app';
    const image = `${registry.host}/${repository}`;
    const push = (tag, seed) => pushTestImage(registry, { repository, tag, format: 'oci-index', seed });
    const writer = OciWriter.for(registry);
    const previous = await push(PREVIOUS, PREVIOUS);
    // latest = exactly the 1.2.2 manifest bytes (a byte-exact retag, as a promote leaves it)
    const pointLatestAtPrevious = async () => {
      const m = await writer.getManifest(repository, previous.digest);
      await writer.putManifest(repository, 'latest', m.bytes, m.mediaType);
    };
    await pointLatestAtPrevious();
    const current = await push(VERSION, VERSION);
    const token = `ghs_${randomBytes(18).toString('hex')}`;
    const worldFile = path.join(dir, 'github-world.json');
    const initial = () => ({
      signed: [previous.digest, current.digest],
      signer: {
        identity: 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main',
        issuer: 'https://token.actions.githubusercontent.com',
      },
      releases: [
        { id: 122, tag: PREVIOUS, draft: false, url: `https://github.com/acme/app/releases/tag/${PREVIOUS}` },
        { id: 123, tag: VERSION, draft: true, url: `https://github.com/acme/app/releases/tag/untagged-123` },
      ],
      pulls: [
        { number: 12, head: `release/${PREVIOUS}`, base: 'main', state: 'merged', headSha: 'c'.repeat(40), url: 'https://github.com/acme/app/pull/12' },
        { number: 13, head: `release/${VERSION}`, base: 'main', state: 'open', headSha: 'd'.repeat(40), url: 'https://github.com/acme/app/pull/13' },
      ],
      tags: [PREVIOUS, VERSION],
      lock: null,
      expectToken: token,
    });
    fs.writeFileSync(worldFile, JSON.stringify(initial(), null, 2));
    const workspace = path.join(dir, 'workspace');
    fs.mkdirSync(workspace, { recursive: true });
    const config = {
      repository,
      images: [{ name: image, platforms: ['linux/amd64', 'linux/arm64'] }],
      signing: {
        issuer: 'https://token.actions.githubusercontent.com',
        identity: 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main',
      },
      registries: { insecure: [registry.host] },
    };
    fs.writeFileSync(path.join(workspace, 'release.config.json'), `${JSON.stringify(config, null, 2)}\n`);
    return {
      kind: 'fallback',
      connectModule,
      version: VERSION,
      previous: PREVIOUS,
      workspace,
      env: {
        RELKIT_E2E_WORLD: worldFile,
        RELKIT_GITHUB_TOKEN: token,
      },
      secrets: [token],
      versionDigest: current.digest,
      previousDigest: previous.digest,
      latestDigest: () => skopeoDigest(registry, `${repository}:latest`),
      async gitHubState() {
        const w = JSON.parse(fs.readFileSync(worldFile, 'utf8'));
        return {
          releasePublished: w.releases.find((r) => r.tag === VERSION)?.draft === false,
          pullMerged: w.pulls.find((p) => p.number === 13)?.state === 'merged',
        };
      },
      async reset() {
        await pointLatestAtPrevious();
        fs.writeFileSync(worldFile, JSON.stringify(initial(), null, 2));
      },
      stop: () => registry.stop(),
      dir,
    };
  } catch (e) {
    await registry.stop();
    throw e;
  }
}
