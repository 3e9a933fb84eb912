// An in-memory world for unit tests of the pure engine (gates, plans, executor ordering).
// The adapters themselves are tested against real services in their own packages.
import type {
  BuildProvenance,
  ForgePort,
  GitHubReleaseObservation,
  ManifestObservation,
  PullRequestObservation,
  RegistryPort,
  ReleaseConfig,
  ReleasePorts,
  SignatureObservation,
  SignaturePort,
} from '../../index.js';
import { parseConfig } from '../../index.js';
import { memoryLock } from '../../engine/__tests__/memory-lock.js';

export const D = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

export interface FakeWorld {
  tags: Map<string, string>; // "image:tag" -> digest
  signed: Set<string>; // digests with a valid signature
  releases: { id: number; tag: string; draft: boolean }[];
  pr: {
    number: number;
    state: 'open' | 'merged' | 'closed';
    draft: boolean;
    approved: boolean;
    /** The commit the approval was given on; unset: the current head. */
    approvedSha?: string;
    checks: 'success' | 'pending' | 'failure';
    mergeable: 'clean' | 'dirty' | 'unknown';
    headSha: string;
  };
  smoke: 'missing' | 'draft' | 'prerelease' | 'published';
  gitTags: Map<string, string>;
  lock: { holder: string; since: string } | null;
  writes: string[];
  /** Registry calls in order: `prepare image`, `observe image:ref`, `retag image:tag`. */
  registryCalls: string[];
  failNext: Map<string, Error>;
  /** What each signed digest's certificate says it was built from, over the default (its version's tag commit). */
  builtFrom: Map<string, BuildProvenance>;
}

export const config: ReleaseConfig = parseConfig({
  repository: 'acme/app',
  images: [{ name: 'ghcr.io/acme/app', platforms: ['linux/amd64', 'linux/arm64'] }],
  signing: {
    issuer: 'https://token.actions.githubusercontent.com',
    identityRegexp: 'https://github\\.com/acme/app/.*',
  },
  smoke: { repository: 'acme/app-smoke', success: 'published' },
});

/** The release workflow built a digest from the commit of its version's tag, on its release branch. */
function builtFromTag(w: FakeWorld, digest: string): BuildProvenance {
  const version = [...w.tags].find(([k, d]) => d === digest && w.gitTags.has(k.split(':').pop()!))?.[0];
  const tag = version?.split(':').pop() ?? 'unknown';
  return {
    sourceDigest: w.gitTags.get(tag) ?? '0'.repeat(40),
    sourceRef: `refs/heads/release/${tag}`,
    signerWorkflow: `https://github.com/acme/app/.github/workflows/release.yml@refs/heads/release/${tag}`,
    runnerEnvironment: 'github-hosted',
  };
}

export function newWorld(): FakeWorld {
  return {
    tags: new Map([
      ['ghcr.io/acme/app:1.2.3', D(123)],
      ['ghcr.io/acme/app:1.2.2', D(122)],
      ['ghcr.io/acme/app:latest', D(122)],
      ['ghcr.io/acme/app:1.2.3-rc1', D(1231)],
    ]),
    signed: new Set([D(123), D(122)]),
    releases: [
      { id: 7, tag: '1.2.3', draft: true },
      { id: 6, tag: '1.2.2', draft: false },
    ],
    pr: {
      number: 42,
      state: 'open',
      draft: false,
      approved: true,
      checks: 'success',
      mergeable: 'clean',
      headSha: 'a'.repeat(40),
    },
    smoke: 'published',
    gitTags: new Map([
      ['1.2.3', 'b'.repeat(40)],
      ['1.2.3-rc1', 'c'.repeat(40)],
      ['1.2.2', 'd'.repeat(40)],
    ]),
    lock: null,
    writes: [],
    registryCalls: [],
    failNext: new Map(),
    builtFrom: new Map(),
  };
}

/** Throws the failure a test queued for this operation, once. */
export function maybeFail(w: { readonly failNext: Map<string, Error> }, op: string): void {
  const e = w.failNext.get(op);
  if (e) {
    w.failNext.delete(op);
    throw e;
  }
}

export function portsFor(w: FakeWorld): ReleasePorts {
  const manifest = (digest: string): ManifestObservation => ({
    state: 'found',
    digest,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    multiArch: true,
    platforms: [
      { os: 'linux', architecture: 'amd64', digest: `${digest}-amd64` },
      { os: 'linux', architecture: 'arm64', digest: `${digest}-arm64` },
    ],
  });
  const registry: RegistryPort = {
    async observeManifest(image, ref) {
      w.registryCalls.push(`observe ${image}:${ref}`);
      maybeFail(w, `observe ${image}:${ref}`);
      const d = ref.startsWith('sha256:') ? ref : w.tags.get(`${image}:${ref}`);
      return d ? manifest(d) : { state: 'missing' };
    },
    async listTags(image) {
      return [...w.tags.keys()]
        .filter((k) => k.startsWith(`${image}:`))
        .map((k) => k.slice(image.length + 1));
    },
    prepareWrite(image) {
      w.registryCalls.push(`prepare ${image}`);
    },
    async retag(image, digest, tag) {
      w.registryCalls.push(`retag ${image}:${tag}`);
      maybeFail(w, `retag ${image}:${tag}`);
      const skipped = w.tags.get(`${image}:${tag}`) === digest;
      if (!skipped) {
        w.tags.set(`${image}:${tag}`, digest);
        w.writes.push(`retag ${image}:${tag}`);
      }
      return { digest, skipped };
    },
    async deleteManifest(image, digest) {
      for (const [k, v] of w.tags) if (k.startsWith(`${image}:`) && v === digest) w.tags.delete(k);
      w.writes.push(`delete ${image}@${digest}`);
    },
  };
  const signatures: SignaturePort = {
    async verify(_image, digest): Promise<SignatureObservation> {
      maybeFail(w, `verify ${digest}`);
      return w.signed.has(digest)
        ? {
            state: 'verified',
            digest,
            signer: {
              identity: 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main',
              issuer: 'https://token.actions.githubusercontent.com',
            },
            attestations: [],
            provenance: w.builtFrom.get(digest) ?? builtFromTag(w, digest),
          }
        : { state: 'unsigned', digest };
    },
  };
  const release = (tag: string): GitHubReleaseObservation => {
    const r = w.releases.find((x) => x.tag === tag);
    return r
      ? {
          state: r.draft ? 'draft' : 'published',
          id: r.id,
          tag,
          url: `https://github.com/acme/app/releases/tag/${tag}`,
          prerelease: false,
        }
      : { state: 'missing' };
  };
  const pullRequest = (head: string, base: string): PullRequestObservation => ({
    state: w.pr.state,
    number: w.pr.number,
    url: 'https://github.com/acme/app/pull/42',
    head,
    base,
    headSha: w.pr.headSha,
    draft: w.pr.draft,
    approved: w.pr.approved,
    approvedOnHead: w.pr.approved && (w.pr.approvedSha ?? w.pr.headSha) === w.pr.headSha,
    checks: [{ name: 'ci', state: w.pr.checks }],
    mergeable: w.pr.mergeable,
    mergeCommitSha: w.pr.state === 'merged' ? 'e'.repeat(40) : undefined,
  });
  const forge: ForgePort = {
    async observeRelease(tag) {
      maybeFail(w, `observe release ${tag}`);
      return release(tag);
    },
    async observeSmoke(tag) {
      return w.smoke === 'missing'
        ? { state: 'missing', repository: 'acme/app-smoke', tag }
        : {
            state: w.smoke,
            repository: 'acme/app-smoke',
            tag,
            url: 'https://github.com/acme/app-smoke/releases/tag/x',
          };
    },
    async observePullRequest(head, base) {
      return pullRequest(head, base);
    },
    async observeTag(tag) {
      const sha = w.gitTags.get(tag);
      return sha ? { state: 'found', tag, sha } : { state: 'missing', tag };
    },
    async listTags(prefix) {
      return [...w.gitTags.keys()].filter((t) => t.startsWith(prefix));
    },
    async publishRelease(tag) {
      const r = w.releases.find((x) => x.tag === tag)!;
      maybeFail(w, `publish ${r.id}`);
      r.draft = false;
      w.writes.push(`publish ${r.tag}`);
      return release(r.tag);
    },
    async mergePullRequest(number, { sha }) {
      maybeFail(w, `merge ${number}`);
      if (sha !== w.pr.headSha)
        throw Object.assign(new Error('Head branch was modified'), { code: 'CONFLICT' });
      w.pr.state = 'merged';
      w.writes.push(`merge ${number}`);
      return { sha: 'e'.repeat(40) };
    },
    async closePullRequest(number) {
      w.pr.state = 'closed';
      w.writes.push(`close ${number}`);
    },
    async deleteDraftRelease(tag) {
      const r = w.releases.find((x) => x.tag === tag)!;
      if (!r.draft) throw new Error('refusing to delete a published release');
      w.releases = w.releases.filter((x) => x.tag !== tag);
      w.writes.push(`delete release ${r.tag}`);
    },
    async deleteTag(tag) {
      w.gitTags.delete(tag);
      w.writes.push(`delete tag ${tag}`);
    },
    async deleteBranch(branch) {
      w.writes.push(`delete branch ${branch}`);
    },
    ...memoryLock(
      () => w.lock,
      (l) => (w.lock = l),
    ),
  };
  return { registry, signatures, forge, clock: { now: () => new Date('2026-11-27T00:00:00Z') } };
}
