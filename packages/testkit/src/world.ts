import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGitHubSimulator, type GitHubSimulator } from './github/index.js';
import { startRegistry, type LocalRegistry, type RegistryAuthMode } from './registry.js';
import {
  COSIGN_SIGN_PREDICATE,
  GITHUB_ACTIONS_ISSUER,
  SLSA_PROVENANCE_V1,
  pushBundleReferrer,
  signImageBundle,
  startSigstoreInfra,
  type SigstoreInfra,
  type WorkflowIdentity,
} from './sigstore/index.js';
import { OciWriter } from './oci-writer.js';
import { pushTestImage, type PushedImage } from './test-image.js';

/**
 * A whole release world on 127.0.0.1, the way a project looks right after the publish phase:
 * the real registry holds X.Y.Z (two platforms, signed by the release workflow through the mock
 * Sigstore services, with SLSA provenance) next to the previous version that `latest` still
 * names; the GitHub simulator holds the repository with its CHANGELOG, tags, a draft release, an
 * approved release PR with green checks, and the downstream smoke repository with its release.
 * Used by the demo, the CLI end-to-end tests and the VS Code extension tests.
 */
export interface ReleaseWorld {
  readonly registry: LocalRegistry;
  readonly github: GitHubSimulator;
  readonly sigstore: SigstoreInfra;
  /** A folder with release.config.json, trusted_root.json, CHANGELOG.md and a docker config. */
  readonly workspace: string;
  readonly configPath: string;
  readonly repository: string;
  readonly smokeRepository: string;
  /** Image name as the config names it, e.g. 127.0.0.1:40001/acme/app. */
  readonly image: string;
  /** Repository path inside the registry, e.g. acme/app. */
  readonly imageRepository: string;
  readonly version: string;
  readonly previous: string;
  readonly images: {
    readonly version: PushedImage;
    readonly previous: PushedImage;
    readonly candidate: PushedImage;
  };
  readonly pullRequest: number;
  /** Environment for relkit: GitHub API URL and token, DOCKER_CONFIG with registry credentials. */
  readonly env: Readonly<Record<string, string>>;
  /** Pushes and signs another version (e.g. a newer one for rollback tests). */
  publishImage(version: string, options?: { signed?: boolean }): Promise<PushedImage>;
  stop(): Promise<void>;
}

export interface ReleaseWorldOptions {
  readonly auth?: RegistryAuthMode;
  readonly version?: string;
  readonly previous?: string;
  /** Seed the downstream smoke release (published) — default true. */
  readonly smokePassed?: boolean;
  /** Approve the PR and make its checks green — default true. */
  readonly prReady?: boolean;
  /**
   * How CI built X.Y.Z, as its signing certificate says (over the default: from the commit of
   * tag X.Y.Z on the release branch, by release.yml, on a GitHub-hosted runner). E.g. a stale
   * commit `{ sha: 'f'.repeat(40) }` or `{ runnerEnvironment: 'self-hosted' }`.
   */
  readonly versionBuild?: WorkflowIdentity;
  /** Where the SLSA provenance is stored: the registry (push-to-registry, default) or GitHub only. */
  readonly attestAt?: 'registry' | 'github';
  /** The source commit X.Y.Z's SLSA provenance names, when not the commit it was built from. */
  readonly slsaCommit?: string;
  /** Sign every platform manifest too (and verify them: signing.verifyPlatforms). */
  readonly signPlatforms?: boolean | { readonly build?: WorkflowIdentity };
  /** Extra keys of the config's `signing`, e.g. { provenance: { signerWorkflow: '…' } }. */
  readonly signing?: Readonly<Record<string, unknown>>;
}

export const WORLD_REPOSITORY = 'acme/app';
export const WORLD_SIGNING_IDENTITY_REGEXP =
  'https://github\\.com/acme/app/\\.github/workflows/release\\.yml@refs/heads/release/.*';

/** The project's CHANGELOG: on main (no section yet), frozen (TBD) or finalized (dated). */
function changelog(
  version: string,
  previous: string,
  state: 'main' | 'frozen' | { finalized: string },
): string {
  const head =
    state === 'frozen'
      ? [`## [${version}] - TBD`]
      : state === 'main'
        ? []
        : [
            `## [${version}](https://github.com/${WORLD_REPOSITORY}/releases/tag/${version}) - ${state.finalized}`,
          ];
  const body =
    state === 'main'
      ? []
      : [
          ...head,
          '',
          '### Added',
          '',
          '- Health endpoint `/healthz` for the smoke test',
          '',
          '### Fixed',
          '',
          '- `latest` no longer points at a single-platform manifest',
          '',
        ];
  return [
    '# Changelog',
    '',
    'All notable changes to this project are documented in this file.',
    '',
    '## Unreleased',
    '',
    '### Added',
    '',
    '### Changed',
    '',
    '### Deprecated',
    '',
    '### Removed',
    '',
    '### Fixed',
    '',
    '### Security',
    '',
    ...body,
    `## [${previous}](https://github.com/${WORLD_REPOSITORY}/releases/tag/${previous}) - 2026-10-01`,
    '',
    '### Added',
    '',
    '- First release with multi-arch images',
    '',
  ].join('\n');
}

export async function startReleaseWorld(options: ReleaseWorldOptions = {}): Promise<ReleaseWorld> {
  const version = options.version ?? '1.2.3';
  const previous = options.previous ?? '1.2.2';
  const stops: (() => Promise<void>)[] = [];
  const workspace = mkdtempSync(join(tmpdir(), 'relkit-world-'));
  stops.push(async () => rmSync(workspace, { recursive: true, force: true }));
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const [registry, github, sigstore] = await Promise.all([
      startRegistry({ auth: options.auth ?? 'token' }),
      startGitHubSimulator(),
      startSigstoreInfra(),
    ]);
    stops.push(
      () => registry.stop(),
      () => github.stop(),
      () => sigstore.stop(),
    );

    // --- GitHub: repository, tags, releases, PR, smoke repository
    const today = new Date().toISOString().slice(0, 10);
    const mainSha = github.createRepo(WORLD_REPOSITORY, {
      defaultBranch: 'main',
      files: { 'CHANGELOG.md': changelog(version, previous, 'main') },
    });
    github.setRef(WORLD_REPOSITORY, `refs/tags/${previous}`, mainSha);
    github.seedRelease(WORLD_REPOSITORY, { tag: previous, body: 'First release with multi-arch images' });
    const branch = `release/${version}`;
    const rcSha = github.commit(
      WORLD_REPOSITORY,
      branch,
      { 'CHANGELOG.md': changelog(version, previous, 'frozen') },
      `Freeze ${version}`,
    );
    github.setRef(WORLD_REPOSITORY, `refs/tags/${version}-rc1`, rcSha);
    const finalSha = github.commit(
      WORLD_REPOSITORY,
      branch,
      { 'CHANGELOG.md': changelog(version, previous, { finalized: today }) },
      `Release ${version}`,
    );
    github.setRef(WORLD_REPOSITORY, `refs/tags/${version}`, finalSha);
    github.seedRelease(WORLD_REPOSITORY, {
      tag: version,
      draft: true,
      target: finalSha,
      name: version,
      body: '### Added\n\n- Health endpoint `/healthz` for the smoke test',
    });
    const pullRequest = github.openPull(WORLD_REPOSITORY, {
      head: branch,
      base: 'main',
      title: `Release ${version}`,
    });
    if (options.prReady !== false) {
      github.review(WORLD_REPOSITORY, pullRequest, 'maintainer', 'APPROVED');
      github.addCheckRun(WORLD_REPOSITORY, finalSha, {
        name: 'ci / test',
        status: 'completed',
        conclusion: 'success',
      });
      github.addCheckRun(WORLD_REPOSITORY, finalSha, {
        name: 'ci / build',
        status: 'completed',
        conclusion: 'success',
      });
    }
    github.setMergeState(WORLD_REPOSITORY, pullRequest, 'clean');
    const smokeRepository = 'acme/app-smoke';
    github.createRepo(smokeRepository, { defaultBranch: 'main', files: { 'README.md': '# smoke tests\n' } });
    if (options.smokePassed !== false) github.seedRelease(smokeRepository, { tag: version });

    // --- registry: previous (latest), candidate, version — each signed by the release workflow,
    // built (as its Fulcio certificate says) from the commit its git tag names, on its branch.
    const imageRepository = WORLD_REPOSITORY;
    const built: Record<string, string> = {
      [previous]: mainSha,
      [`${version}-rc1`]: rcSha,
      [version]: finalSha,
    };
    const identity = (v: string, over: WorkflowIdentity = {}): WorkflowIdentity => ({
      repository: WORLD_REPOSITORY,
      ref: `refs/heads/release/${v}`,
      ...(built[v] ? { sha: built[v] } : {}),
      ...(v === version ? options.versionBuild : {}),
      ...over,
    });
    const signDigest = async (digest: string, id: WorkflowIdentity, slsaCommit?: string) => {
      const bundle = await signImageBundle(sigstore, { digest, identity: id });
      await pushBundleReferrer(registry, imageRepository, digest, bundle, {
        predicateType: COSIGN_SIGN_PREDICATE,
        fallbackTag: true,
      });
      // SLSA provenance as actions/attest-build-provenance writes it: the source commit and ref.
      const ref = id.ref ?? 'refs/heads/main';
      const provenance = await signImageBundle(sigstore, {
        digest,
        identity: id,
        predicateType: SLSA_PROVENANCE_V1,
        predicate: {
          buildDefinition: {
            buildType: 'https://actions.github.io/buildtypes/workflow/v1',
            externalParameters: {
              workflow: {
                ref,
                repository: `https://github.com/${WORLD_REPOSITORY}`,
                path: id.workflow ?? '.github/workflows/release.yml',
              },
            },
            resolvedDependencies: [
              {
                uri: `git+https://github.com/${WORLD_REPOSITORY}@${ref}`,
                digest: { gitCommit: slsaCommit ?? id.sha ?? 'a'.repeat(40) },
              },
            ],
          },
        },
      });
      // actions/attest-build-provenance stores it at GitHub, and in the registry with push-to-registry.
      if (options.attestAt === 'github') github.addAttestation(WORLD_REPOSITORY, digest, provenance);
      else
        await pushBundleReferrer(registry, imageRepository, digest, provenance, {
          predicateType: SLSA_PROVENANCE_V1,
          fallbackTag: true,
        });
    };
    const platformBuild = typeof options.signPlatforms === 'object' ? options.signPlatforms.build : {};
    const sign = async (img: PushedImage, v: string) => {
      await signDigest(img.digest, identity(v), v === version ? options.slsaCommit : undefined);
      if (options.signPlatforms)
        for (const p of img.platforms) await signDigest(p.digest, identity(v, platformBuild));
    };
    const publishImage = async (v: string, o: { signed?: boolean } = {}) => {
      const img = await pushTestImage(registry, {
        repository: imageRepository,
        tag: v,
        seed: `build of ${v}`,
      });
      if (o.signed !== false) await sign(img, v);
      return img;
    };
    const prev = await publishImage(previous);
    const writer = OciWriter.for(registry);
    const prevManifest = await writer.getManifest(imageRepository, prev.digest);
    await writer.putManifest(imageRepository, 'latest', prevManifest!.bytes, prevManifest!.mediaType);
    const candidate = await publishImage(`${version}-rc1`);
    const current = await publishImage(version);

    // --- workspace: config, trust root, docker credentials
    const image = `${registry.host}/${imageRepository}`;
    const configPath = join(workspace, 'release.config.json');
    writeFileSync(join(workspace, 'trusted_root.json'), `${JSON.stringify(sigstore.trustedRoot, null, 2)}\n`);
    writeFileSync(join(workspace, 'CHANGELOG.md'), changelog(version, previous, { finalized: today }));
    writeFileSync(
      configPath,
      `${JSON.stringify(
        {
          repository: WORLD_REPOSITORY,
          images: [{ name: image, platforms: ['linux/amd64', 'linux/arm64'] }],
          signing: {
            issuer: GITHUB_ACTIONS_ISSUER,
            identityRegexp: WORLD_SIGNING_IDENTITY_REGEXP,
            trustedRoot: 'trusted_root.json',
            requireAttestations: ['slsa'],
            ...(options.signPlatforms ? { verifyPlatforms: true } : {}),
            ...options.signing,
          },
          smoke: { repository: smokeRepository, success: 'published' },
          merge: { method: 'merge' },
        },
        null,
        2,
      )}\n`,
    );
    const dockerDir = join(workspace, '.docker');
    const env: Record<string, string> = {
      RELKIT_GITHUB_API_URL: github.url,
      GITHUB_TOKEN: github.pushToken,
      DOCKER_CONFIG: dockerDir,
    };
    if (registry.credentials) {
      mkdirSync(dockerDir, { recursive: true });
      const auth = Buffer.from(`${registry.credentials.username}:${registry.credentials.password}`).toString(
        'base64',
      );
      writeFileSync(join(dockerDir, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
    }
    return {
      registry,
      github,
      sigstore,
      workspace,
      configPath,
      repository: WORLD_REPOSITORY,
      smokeRepository,
      image,
      imageRepository,
      version,
      previous,
      images: { version: current, previous: prev, candidate },
      pullRequest,
      env,
      publishImage,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
