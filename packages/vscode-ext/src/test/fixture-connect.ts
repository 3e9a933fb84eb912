// A stand-in for @relkit/connect's connectRelease, used by the extension-host tests until the real
// release world (GitHub simulator + sigstore mock) is wired in. The engine is the real
// @relkit/release-core; the registry is the real local docker-registry the harness started,
// reached over plain HTTP; GitHub and signature verification are a JSON file the harness writes
// (its path in RELKIT_E2E_WORLD), so the harness can read back what the promote did.
// Staged as the extension's dist/adapters.cjs by tools/vscode-host/connect-override.mjs; never
// part of the .vsix.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  createReleaseService,
  decodeLockState,
  encodeLockState,
  parseConfigText,
  type ForgePort,
  type GitHubReleaseObservation,
  type ManifestObservation,
  type PullRequestObservation,
  type RegistryPort,
  type ReleaseService,
  type SignaturePort,
} from '@relkit/release-core';
import type { ConnectOptions } from '../connect.js';

export interface FixtureWorld {
  /** Digests with a valid signature (the harness signs nothing; it lists what it pushed). */
  signed: string[];
  signer: { identity: string; issuer: string };
  releases: { id: number; tag: string; draft: boolean; url: string }[];
  pulls: {
    number: number;
    head: string;
    base: string;
    state: 'open' | 'merged' | 'closed';
    headSha: string;
    url: string;
  }[];
  tags: string[];
  lock: { name: string; holder: string; since: string } | null;
  /** The GitHub token the extension must pass (checks the auth plumbing). */
  expectToken: string;
}

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const coded = (code: string, message: string) => Object.assign(new Error(message), { code });

function split(image: string): { base: string; repo: string } {
  const i = image.indexOf('/');
  return { base: `http://${image.slice(0, i)}/v2/${image.slice(i + 1)}`, repo: image.slice(i + 1) };
}

/** The registry port over the OCI distribution API, enough for a loopback registry without auth. */
function httpRegistry(): RegistryPort {
  const get = async (image: string, ref: string, signal?: AbortSignal) => {
    const r = await fetch(`${split(image).base}/manifests/${ref}`, {
      headers: { accept: ACCEPT },
      ...(signal ? { signal } : {}),
    });
    if (r.status === 404) return undefined;
    if (!r.ok) throw coded('UNAVAILABLE', `GET manifest ${image}:${ref}: ${r.status}`);
    const bytes = Buffer.from(await r.arrayBuffer());
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    return { bytes, digest, mediaType: (r.headers.get('content-type') ?? '').split(';')[0]! };
  };
  return {
    async observeManifest(image, ref, signal): Promise<ManifestObservation> {
      try {
        const m = await get(image, ref, signal);
        if (!m) return { state: 'missing' };
        const doc = JSON.parse(m.bytes.toString('utf8')) as {
          manifests?: { digest: string; platform?: { os: string; architecture: string; variant?: string } }[];
        };
        const platforms = (doc.manifests ?? [])
          .filter((d) => d.platform)
          .map((d) => ({
            os: d.platform!.os,
            architecture: d.platform!.architecture,
            variant: d.platform!.variant,
            digest: d.digest,
          }));
        return {
          state: 'found',
          digest: m.digest,
          mediaType: m.mediaType,
          multiArch: doc.manifests !== undefined,
          platforms,
        };
      } catch (e) {
        return { state: 'error', code: 'NETWORK', message: (e as Error).message, transient: true };
      }
    },
    async listTags(image, signal) {
      const r = await fetch(`${split(image).base}/tags/list`, signal ? { signal } : {});
      if (r.status === 404) return [];
      return ((await r.json()) as { tags?: string[] | null }).tags ?? [];
    },
    async retag(image, digest, tag, options = {}) {
      const { signal } = options;
      const cur = await get(image, tag, signal);
      if (cur?.digest === digest) return { digest, skipped: true };
      const m = await get(image, digest, signal);
      if (!m) throw coded('MANIFEST_UNKNOWN', `${image}@${digest} is not in the registry`);
      const r = await fetch(`${split(image).base}/manifests/${tag}`, {
        method: 'PUT',
        headers: { 'content-type': m.mediaType },
        body: m.bytes,
        ...(signal ? { signal } : {}),
      });
      if (!r.ok) throw coded('REJECTED', `PUT ${image}:${tag}: ${r.status} ${await r.text()}`);
      const after = await get(image, tag, signal);
      return { digest: after?.digest ?? '', skipped: false };
    },
    async deleteManifest(image, digest, signal) {
      await fetch(`${split(image).base}/manifests/${digest}`, {
        method: 'DELETE',
        ...(signal ? { signal } : {}),
      });
    },
  };
}

function fileWorld(file: string): { read(): FixtureWorld; update(fn: (w: FixtureWorld) => void): void } {
  return {
    read: () => JSON.parse(readFileSync(file, 'utf8')) as FixtureWorld,
    update(fn) {
      const w = JSON.parse(readFileSync(file, 'utf8')) as FixtureWorld;
      fn(w);
      writeFileSync(file, JSON.stringify(w, null, 2));
    },
  };
}

function signatures(world: ReturnType<typeof fileWorld>, registry: RegistryPort): SignaturePort {
  return {
    async verify(image, digest, _policy, signal) {
      const w = world.read();
      if (!w.signed.includes(digest)) return { state: 'unsigned', digest };
      // The release workflow built each version from its tag's commit (what observeTag reports).
      const seen = await Promise.all(w.tags.map((t) => registry.observeManifest(image, t, signal)));
      const tag = w.tags.find((_, i) => {
        const m = seen[i];
        return m?.state === 'found' && m.digest === digest;
      });
      const provenance = tag
        ? { sourceDigest: 'b'.repeat(40), sourceRef: `refs/tags/${tag}`, runnerEnvironment: 'github-hosted' }
        : undefined;
      return {
        state: 'verified',
        digest,
        signer: w.signer,
        attestations: [],
        ...(provenance ? { provenance } : {}),
      };
    },
  };
}

function forge(world: ReturnType<typeof fileWorld>, smokeRepo: string | undefined): ForgePort {
  const release = (tag: string): GitHubReleaseObservation => {
    const r = world.read().releases.find((x) => x.tag === tag);
    return r
      ? { state: r.draft ? 'draft' : 'published', id: r.id, tag: r.tag, url: r.url, prerelease: false }
      : { state: 'missing' };
  };
  return {
    async observeRelease(tag) {
      return release(tag);
    },
    async observeSmoke(tag) {
      return smokeRepo ? { state: 'missing', repository: smokeRepo, tag } : { state: 'not-configured' };
    },
    async observePullRequest(head, base): Promise<PullRequestObservation> {
      const p = world.read().pulls.find((x) => x.head === head && x.base === base);
      if (!p) return { state: 'missing', head, base };
      return {
        ...p,
        draft: false,
        approved: true,
        approvedOnHead: true,
        checks: [{ name: 'ci / test', state: 'success', url: `${p.url}/checks` }],
        mergeable: p.state === 'open' ? 'clean' : 'unknown',
        ...(p.state === 'merged' ? { mergeCommitSha: 'f'.repeat(40) } : {}),
      };
    },
    async observeTag(tag) {
      return world.read().tags.includes(tag)
        ? { state: 'found', tag, sha: 'b'.repeat(40) }
        : { state: 'missing', tag };
    },
    async listTags(prefix) {
      return world.read().tags.filter((t) => t.startsWith(prefix));
    },
    async publishRelease(tag) {
      world.update((w) => {
        const r = w.releases.find((x) => x.tag === tag);
        if (!r) throw coded('NOT_FOUND', `no release for tag ${tag}`);
        r.draft = false;
      });
      return release(tag);
    },
    async mergePullRequest(number, { sha }) {
      world.update((w) => {
        const p = w.pulls.find((x) => x.number === number);
        if (!p || p.state !== 'open') throw coded('CONFLICT', `PR #${number} is not open`);
        if (p.headSha !== sha) throw coded('PRECONDITION_FAILED', `PR #${number} head moved`);
        p.state = 'merged';
      });
      return { sha: 'f'.repeat(40) };
    },
    async closePullRequest(number) {
      world.update((w) => {
        const p = w.pulls.find((x) => x.number === number);
        if (p) p.state = 'closed';
      });
    },
    async deleteDraftRelease(tag) {
      world.update((w) => {
        if (w.releases.some((r) => r.tag === tag && !r.draft)) {
          throw coded('CONFLICT', `release ${tag} is published`);
        }
        w.releases = w.releases.filter((r) => r.tag !== tag);
      });
    },
    async deleteTag(tag) {
      world.update((w) => {
        w.tags = w.tags.filter((t) => t !== tag);
      });
    },
    async deleteBranch() {},
    // The lock as core sees it: one state per version, written only over the version read.
    async readLock(name) {
      let found: { version: string; record: string } | undefined;
      world.update((w) => {
        if (w.lock && w.lock.name === name)
          found = {
            version: `${w.lock.holder}@${w.lock.since}`,
            record: encodeLockState({
              status: 'held',
              holder: w.lock.holder,
              run: '',
              acquiredAt: w.lock.since,
              expiresAt: '9999-12-31T00:00:00.000Z',
            }),
          };
      });
      return found;
    },
    async writeLock(name, from, record) {
      const state = decodeLockState(record);
      let out: { written: true; version: string } | { written: false } = { written: false };
      world.update((w) => {
        const current = w.lock && w.lock.name === name ? `${w.lock.holder}@${w.lock.since}` : undefined;
        if (from !== current) return;
        w.lock = state?.status === 'held' ? { name, holder: state.holder, since: state.acquiredAt } : null;
        out = {
          written: true,
          version: w.lock ? `${w.lock.holder}@${w.lock.since}` : `released@${Date.now()}`,
        };
      });
      return out;
    },
  };
}

export async function connectRelease(o: ConnectOptions): Promise<ReleaseService> {
  const configPath = o.configPath ?? path.join(o.cwd, 'release.config.json');
  const config = parseConfigText(await readFile(configPath, 'utf8'), configPath);
  const file = o.env.RELKIT_E2E_WORLD;
  if (!file) throw coded('INVALID_CONFIG', 'RELKIT_E2E_WORLD is not set');
  const world = fileWorld(file);
  if (o.githubToken !== world.read().expectToken) throw coded('UNAUTHORIZED', 'Bad credentials');
  const registry = httpRegistry();
  return createReleaseService(config, {
    registry,
    signatures: signatures(world, registry),
    forge: forge(world, config.smoke?.repository),
  });
}
