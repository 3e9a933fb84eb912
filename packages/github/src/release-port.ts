// Core's ForgePort (the promote / rollback / abandon engine) over GitHubForge. Translation only:
// the decisions are core's, the HTTP calls, guards and read-backs are GitHubForge's.
import type {
  ForgePort,
  GitHubReleaseObservation,
  Mergeability as CoreMergeability,
  PullRequestObservation,
  SmokeObservation,
} from '@relkit/release-core';
import { GitHubError } from './errors.js';
import type { GitHubForge } from './forge.js';
import { asRole } from './token-roles.js';
import type { RepositoryName } from './repository.js';
import type { ReleaseInfo, ReleaseLookup, SmokeRule } from './types.js';

export interface ForgePortOptions {
  /** The repository releases, tags, the release PR and the lock live in. */
  readonly repository: RepositoryName;
  /** The downstream repository whose release for the tag is the smoke signal, and its rule. */
  readonly smoke?: { readonly repository: RepositoryName; readonly rule: SmokeRule };
  /** The forge holding the smoke token, for reading the smoke repository; the main forge by default. */
  readonly smokeForge?: GitHubForge;
  /** Whether merging needs an approval (GitHubForge's `requireApproval`); default true. */
  readonly requireApproval?: boolean;
}

// GitHub's mergeable_state values core knows; anything else (a new GitHub value) reads as unknown.
const MERGEABILITY: ReadonlySet<string> = new Set<CoreMergeability>([
  'clean',
  'unstable',
  'has_hooks',
  'behind',
  'blocked',
  'dirty',
  'draft',
  'unknown',
]);

/** A GitHub release as core's release observation: the one mapping, for forgePort and publishForgePort. */
export function toReleaseObservation(r: ReleaseInfo): GitHubReleaseObservation {
  return {
    state: r.draft ? 'draft' : 'published',
    id: r.id,
    tag: r.tag,
    url: r.url,
    prerelease: r.prerelease,
  };
}

/** "Could not look" is thrown, never reported as missing: a token without push access cannot see drafts (#517). */
function releaseOrInvisible(found: ReleaseLookup): ReleaseInfo | undefined {
  if (found.release || found.draftsVisible !== false) return found.release;
  const name = `${found.repository.owner}/${found.repository.repo}`;
  throw new GitHubError(
    'FORBIDDEN',
    `no visible release ${found.tag} in ${name}, but a draft may exist: the token lacks push access there, and GitHub lists draft releases only to tokens with push access`,
    { advice: 'use a token with contents: write (push access), e.g. the release app token' },
  );
}

/**
 * Core's forge port for one repository. Observation methods throw GitHubError when they could
 * not look (core's `observe()` turns that into `{state:'error', code, message}`) and return
 * `missing` only for a real absence; action methods are idempotent and throw on failure.
 */
export function forgePort(forge: GitHubForge, options: ForgePortOptions): ForgePort {
  const repo = options.repository;
  const name = `${repo.owner}/${repo.repo}`;
  const smoke = options.smoke;
  const pullNumbers = new Map<string, { number: number; headSha: string }>();

  return {
    async observeRelease(tag) {
      const r = releaseOrInvisible(await forge.findRelease(repo, tag));
      return r ? toReleaseObservation(r) : { state: 'missing' };
    },

    async observeSmoke(tag): Promise<SmokeObservation> {
      if (!smoke) return { state: 'not-configured' };
      const repository = `${smoke.repository.owner}/${smoke.repository.repo}`;
      const signal = await asRole('smoke', 'contents: read', repository, () =>
        (options.smokeForge ?? forge).checkSmokeSignal(smoke.repository, tag, smoke.rule),
      );
      const r = signal.release;
      // What the downstream release is, independent of the rule (core applies the rule). An
      // invisible downstream draft reads as missing: neither passes, and the release app token
      // usually has no push access to the downstream repository.
      if (!r) return { state: 'missing', repository, tag };
      return {
        state: r.draft ? 'draft' : r.prerelease ? 'prerelease' : 'published',
        repository,
        tag,
        url: r.url,
      };
    },

    async observePullRequest(head, base): Promise<PullRequestObservation> {
      // The PR found once (during the gates) is read by number afterwards: the re-check right
      // before the merge saves the search. Anything but the same open-or-merged PR searches again.
      const key = `${head}\n${base}`;
      const cached = pullNumbers.get(key);
      let report =
        cached === undefined
          ? undefined
          : await forge.observePullRequest(repo, cached.number, { headSha: cached.headSha });
      if (
        !report ||
        report.pullRequest.state === 'closed' ||
        report.pullRequest.head.ref !== head ||
        report.pullRequest.base.ref !== base
      ) {
        const found = await forge.findPullRequest(repo, { head, base });
        if (!found) return { state: 'missing', head, base };
        report = await forge.observePullRequest(repo, found.number, { headSha: found.head.sha });
      }
      const pr = report.pullRequest;
      pullNumbers.set(key, { number: pr.number, headSha: pr.head.sha });
      const raw = report.mergeability.mergeStateStatus;
      return {
        state: pr.state,
        number: pr.number,
        url: pr.url,
        head: pr.head.ref,
        base: pr.base.ref,
        headSha: pr.head.sha,
        draft: pr.draft,
        approved: report.approval.approved,
        approvedOnHead: report.approval.approvedOnHead,
        checks: report.checks.checks.map((c) => ({
          name: c.name,
          state: c.verdict,
          url: c.url ?? undefined,
        })),
        // A draft is 'draft' even while GitHub still computes mergeable_state (GitHubForge does
        // not re-query a draft: it cannot be merged whatever GitHub computes).
        mergeable: pr.draft ? 'draft' : MERGEABILITY.has(raw) ? (raw as CoreMergeability) : 'unknown',
        mergeCommitSha: pr.state === 'merged' ? (pr.mergeCommitSha ?? undefined) : undefined,
      };
    },

    async observeTag(tag) {
      // Publish creates lightweight tags, so the ref points straight at the commit.
      const sha = await forge.getRef(repo, `tags/${tag}`);
      return sha ? { state: 'found', tag, sha } : { state: 'missing', tag };
    },

    listTags: (prefix) => forge.listTags(repo, prefix),

    async publishRelease(tag, { makeLatest, id }) {
      const r = await asRole('github', 'contents: write', name, () =>
        forge.publishRelease(repo, tag, {
          makeLatest: makeLatest ? 'true' : 'false',
          ...(id === undefined ? {} : { draftId: id }),
        }),
      );
      return toReleaseObservation(r.release);
    },

    async mergePullRequest(number, { sha, method, title, checked }) {
      const r = await asRole('github', 'contents: write and pull-requests: write', name, () =>
        forge.mergePullRequest(repo, number, {
          expectedHeadSha: sha,
          method,
          requireApproval: options.requireApproval ?? true,
          // Core's executor re-runs the PR gates right before merging and says so.
          checkedByCaller: checked === true,
          ...(title ? { commitTitle: title } : {}),
        }),
      );
      if (!r.mergeCommitSha)
        throw new GitHubError(
          'UNEXPECTED_RESPONSE',
          `#${number} is merged but GitHub reports no merge commit`,
        );
      return { sha: r.mergeCommitSha };
    },

    async closePullRequest(number, comment) {
      await forge.closePullRequest(repo, number, comment);
    },

    async deleteDraftRelease(tag) {
      await forge.deleteDraftRelease(repo, tag);
    },

    async deleteTag(tag) {
      await forge.deleteTagWithoutRelease(repo, tag);
    },

    async deleteBranch(branch) {
      // Absent counts as done (deleteRef reports deleted: false).
      await forge.deleteRef(repo, `refs/heads/${branch}`);
    },

    async readLock(name) {
      const lock = await forge.readLock(repo, name);
      return lock ? { version: lock.sha, record: lock.record } : undefined;
    },

    async writeLock(name, from, record) {
      const r = await forge.writeLock(repo, name, from, record);
      return r.written ? { written: true, version: r.sha } : { written: false };
    },

    readLockVersion(name) {
      return forge.readLockVersion(repo, name);
    },

    readLockRecord(name, version) {
      return forge.readLockRecord(repo, name, version);
    },

    stageLock(name, from, record) {
      return forge.stageLock(repo, name, from, record);
    },

    moveLock(name, from, to) {
      return forge.moveLock(repo, name, from, to);
    },
  };
}
