// The "real repository" world (issue 19): a gitflow repository the way vig-os/devkit runs it.
// dev ahead of main; a ruleset that takes only commits made through the API by an App (signed by
// GitHub) on main, dev and release/*; tokens per role that GitHub answers differently (an App
// installation token, GITHUB_TOKEN reaching only its own repository, one scoped to the smoke
// repository, a read-only one); the image behind a ghcr.io-like front (OCI DELETE → 405, clean-up
// through the Packages API); the origin's real CHANGELOG (devkit's 1.11.0) with a mirror copy and
// a README version line. Nothing is released yet: CI's builds are `ciBuild`, run when the test's
// workflow says so.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unfreeze } from '@relkit/release-core/changelog';
import {
  COSIGN_SIGN_PREDICATE,
  GITHUB_ACTIONS_ISSUER,
  OciWriter,
  SLSA_PROVENANCE_V1,
  pushBundleReferrer,
  pushTestImage,
  registryPackageSource,
  signImageBundle,
  startGhcrFront,
  startGitHubSimulator,
  startRegistry,
  startSigstoreInfra,
  type FaultProxy,
  type GitHubSimulator,
  type LocalRegistry,
  type PushedImage,
  type SigstoreInfra,
} from '@relkit/testkit';

export const REPOSITORY = 'vig-os/devkit';
export const SMOKE_REPOSITORY = 'vig-os/devkit-smoke';
export const VERSION = '1.11.0';
export const PREVIOUS = '1.10.0';
/** The date of devkit's own finalize of 1.11.0 (cases.tsv): the after-file carries it. */
export const FINALIZE_DATE = '2026-08-20';
export const MIRROR = 'assets/workspace/.devcontainer/CHANGELOG.md';
export const RELEASE_WORKFLOW = '.github/workflows/release-publish.yml';
export const readme = (v: string) => `# devkit\n\n**Latest Version:** ${v}\n`;

/** ../shared/data next to the repository root (RELKIT_SHARED_DIR overrides). */
function finalizeData(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nx.json'))) dir = dirname(dir);
  return join(process.env.RELKIT_SHARED_DIR ?? join(dir, '..', 'shared'), 'data', 'changelogs', 'finalize');
}

/** devkit's CHANGELOG just before ("## [1.11.0] - TBD") and after its own finalize of 1.11.0. */
export const FROZEN = readFileSync(join(finalizeData(), `${VERSION}.before.md`), 'utf8');
export const FINALIZED = readFileSync(join(finalizeData(), `${VERSION}.after.md`), 'utf8');
/** dev before prepare: the 1.11.0 entries still under Unreleased (freeze gives FROZEN back exactly). */
export const OPEN = unfreeze(FROZEN, VERSION);
/** main, as 1.10.0 left it: no 1.11.0 section, an empty Unreleased. */
export const ON_MAIN = (() => {
  const start = FROZEN.indexOf(`## [${VERSION}] - TBD`);
  const end = FROZEN.indexOf('\n## [', start) + 1;
  return FROZEN.slice(0, start) + FROZEN.slice(end);
})();

export interface RealRepositoryWorld {
  readonly github: GitHubSimulator;
  readonly registry: LocalRegistry;
  readonly sigstore: SigstoreInfra;
  /** The ghcr.io-like front the config's image names. */
  readonly front: FaultProxy;
  readonly workspace: string;
  readonly configPath: string;
  /** The image as the config names it (through the front). */
  readonly image: string;
  readonly imageRepository: string;
  readonly writer: OciWriter;
  /** The tokens, by what GitHub lets them do. */
  readonly tokens: {
    /** An App installation token (every repository; its API commits are signed). */
    readonly app: string;
    /** The workflow's GITHUB_TOKEN: this repository only (packages: write on its packages). */
    readonly workflow: string;
    /** An App token scoped to the smoke repository only. */
    readonly smoke: string;
    /** A person's token without push. */
    readonly readOnly: string;
  };
  /** The previous release's image, which `latest` names. */
  readonly previousImage: PushedImage;
  /** The environment every relkit run shares (API URL, docker config), without tokens. */
  readonly env: Readonly<Record<string, string>>;
  /** What CI's build does: push `tag` (two platforms), built from `sha` on release/X.Y.Z, signed and attested by the release workflow. */
  ciBuild(tag: string, sha: string): Promise<PushedImage>;
  stop(): Promise<void>;
}

export async function startRealRepositoryWorld(): Promise<RealRepositoryWorld> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  const workspace = mkdtempSync(join(tmpdir(), 'relkit-real-'));
  stops.push(async () => rmSync(workspace, { recursive: true, force: true }));
  try {
    const [registry, github, sigstore] = await Promise.all([
      startRegistry({ auth: 'token' }),
      startGitHubSimulator(),
      startSigstoreInfra(),
    ]);
    stops.push(
      () => registry.stop(),
      () => github.stop(),
      () => sigstore.stop(),
    );
    const front = await startGhcrFront(registry.url);
    stops.push(() => front.stop());

    // --- GitHub: main at 1.10.0, dev ahead with the 1.11.0 entries, the ruleset, smoke repository.
    const main = github.createRepo(REPOSITORY, {
      defaultBranch: 'main',
      files: { 'CHANGELOG.md': ON_MAIN, [MIRROR]: ON_MAIN, 'README.md': readme(PREVIOUS) },
    });
    github.setRef(REPOSITORY, `refs/tags/${PREVIOUS}`, main);
    github.seedRelease(REPOSITORY, { tag: PREVIOUS, body: 'The previous release' });
    github.setRef(REPOSITORY, 'refs/heads/dev', main);
    github.commit(
      REPOSITORY,
      'dev',
      { 'CHANGELOG.md': OPEN, [MIRROR]: OPEN, 'src/expirations.sh': '#!/bin/sh\n' },
      'feat: check-expirations --warn-days',
    );
    for (const b of ['main', 'dev', `release/${VERSION}`]) github.requireSignedCommits(REPOSITORY, b);
    github.createRepo(SMOKE_REPOSITORY, { defaultBranch: 'main', files: { 'README.md': '# smoke\n' } });

    // --- registry: the previous release (signed), which latest names; the package at GitHub.
    const imageRepository = REPOSITORY;
    const writer = OciWriter.for(registry);
    const sign = async (digest: string, tag: string, sha: string) => {
      const identity = {
        repository: REPOSITORY,
        ref: `refs/heads/release/${tag.replace(/-rc\d+$/, '')}`,
        workflow: RELEASE_WORKFLOW,
        sha,
      };
      const bundle = await signImageBundle(sigstore, { digest, identity });
      await pushBundleReferrer(registry, imageRepository, digest, bundle, {
        predicateType: COSIGN_SIGN_PREDICATE,
        fallbackTag: true,
      });
      // SLSA provenance as actions/attest with push-to-registry writes it.
      const provenance = await signImageBundle(sigstore, {
        digest,
        identity,
        predicateType: SLSA_PROVENANCE_V1,
        predicate: {
          buildDefinition: {
            buildType: 'https://actions.github.io/buildtypes/workflow/v1',
            externalParameters: {
              workflow: {
                ref: identity.ref,
                repository: `https://github.com/${REPOSITORY}`,
                path: RELEASE_WORKFLOW,
              },
            },
            resolvedDependencies: [
              { uri: `git+https://github.com/${REPOSITORY}@${identity.ref}`, digest: { gitCommit: sha } },
            ],
          },
        },
      });
      await pushBundleReferrer(registry, imageRepository, digest, provenance, {
        predicateType: SLSA_PROVENANCE_V1,
        fallbackTag: true,
      });
    };
    const ciBuild = async (tag: string, sha: string) => {
      const img = await pushTestImage(registry, {
        repository: imageRepository,
        tag,
        // The content depends on the commit: a build from another commit is another digest.
        seed: `build of ${tag} at ${sha}`,
      });
      await sign(img.digest, tag, sha);
      return img;
    };
    const previousImage = await ciBuild(PREVIOUS, main);
    const prev = await writer.getManifest(imageRepository, previousImage.digest);
    await writer.putManifest(imageRepository, 'latest', prev!.bytes, prev!.mediaType);
    github.addContainerPackage('vig-os', 'devkit', registryPackageSource(registry, imageRepository), {
      repository: REPOSITORY,
    });

    // --- workspace: the config (as `release-cli init` writes it, with this world's image and trust root).
    const image = `${front.host}/${imageRepository}`;
    const configPath = join(workspace, 'release.config.json');
    writeFileSync(join(workspace, 'trusted_root.json'), `${JSON.stringify(sigstore.trustedRoot, null, 2)}\n`);
    writeFileSync(
      configPath,
      `${JSON.stringify(
        {
          repository: REPOSITORY,
          baseBranch: 'main',
          integrationBranch: 'dev',
          releaseBranch: 'release/{version}',
          changelog: { path: 'CHANGELOG.md', mirrors: [MIRROR] },
          versionFiles: [
            { path: 'README.md', pattern: '^\\*\\*Latest Version:\\*\\* (\\d+\\.\\d+\\.\\d+)$' },
          ],
          images: [{ name: image, platforms: ['linux/amd64', 'linux/arm64'] }],
          signing: {
            issuer: GITHUB_ACTIONS_ISSUER,
            identityRegexp: `https://github\\.com/vig-os/devkit/\\.github/workflows/release-publish\\.yml@refs/heads/release/.+`,
            trustedRoot: 'trusted_root.json',
            requireAttestations: ['slsa'],
          },
          smoke: { repository: SMOKE_REPOSITORY, success: 'published' },
          requireApproval: true,
          merge: { method: 'merge' },
          cleanup: { via: 'packages-api' },
        },
        null,
        2,
      )}\n`,
    );
    const dockerDir = join(workspace, '.docker');
    mkdirSync(dockerDir, { recursive: true });
    const auth = Buffer.from(`${registry.credentials!.username}:${registry.credentials!.password}`).toString(
      'base64',
    );
    writeFileSync(
      join(dockerDir, 'config.json'),
      JSON.stringify({ auths: { [registry.host]: { auth }, [front.host]: { auth } } }),
    );
    return {
      github,
      registry,
      sigstore,
      front,
      workspace,
      configPath,
      image,
      imageRepository,
      writer,
      tokens: {
        app: github.appToken,
        workflow: github.repositoryToken(REPOSITORY),
        smoke: github.repositoryToken(SMOKE_REPOSITORY),
        readOnly: github.readToken,
      },
      previousImage,
      env: { RELKIT_GITHUB_API_URL: github.url, DOCKER_CONFIG: dockerDir },
      ciBuild,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The release lock's state as its record says (`free` when there is no lock ref). */
export function lockStatus(github: GitHubSimulator, name = 'release'): string {
  const sha = github.refSha(REPOSITORY, `refs/relkit-locks/${name}`);
  if (!sha) return 'free';
  const message = github.commitInfo(REPOSITORY, sha)?.message ?? '';
  return /"status"\s*:\s*"(\w+)"/.exec(message)?.[1] ?? `unreadable: ${message}`;
}
