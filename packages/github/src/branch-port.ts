// Core's BranchPort (gitflow: prepare's release branch and PR, promote's integration sync) and
// PrepareForgePort over GitHubForge. Translation only: the decisions are core's. Ref writes go
// with the commit token (the identity allowed to write protected branches), PRs with github's.
import {
  asObservationError,
  type BranchPort,
  type PrepareForgePort,
  type PullRequestSummary,
  type ReleaseConfig,
} from '@relkit/release-core';
import type { GitHubForge } from './forge.js';
import { publishForgePort } from './publish-port.js';
import { parseRepository } from './repository.js';
import { asRole } from './token-roles.js';
import type { PullRequestInfo } from './types.js';

export interface BranchPortOptions {
  /** The forge with the commit token (branch creation, fast-forward); `gh` by default. */
  readonly commit?: GitHubForge;
}

const summary = (p: PullRequestInfo): PullRequestSummary => ({
  state: p.state,
  number: p.number,
  url: p.url,
  head: p.head.ref,
  base: p.base.ref,
  draft: p.draft,
  headSha: p.head.sha,
});

export function branchPort(
  gh: GitHubForge,
  config: ReleaseConfig,
  options: BranchPortOptions = {},
): BranchPort {
  const repo = parseRepository(config.repository);
  const committer = options.commit ?? gh;
  return {
    async observeBranch(branch) {
      try {
        const sha = await gh.getRef(repo, `heads/${branch}`);
        return sha ? { state: 'found', branch, sha } : { state: 'missing', branch };
      } catch (e) {
        return asObservationError(e);
      }
    },
    async compareBranches(base, head) {
      try {
        const c = await gh.compareBranches(repo, base, head);
        return { state: 'found', status: c.status, aheadBy: c.aheadBy, behindBy: c.behindBy };
      } catch (e) {
        return asObservationError(e);
      }
    },
    async createBranch(branch, sha) {
      await asRole('commit', 'contents: write', config.repository, () =>
        committer.createBranch(repo, branch, sha),
      );
    },
    async fastForwardBranch(branch, fromSha, toSha) {
      await asRole('commit', 'contents: write', config.repository, () =>
        committer.fastForwardBranch(repo, branch, fromSha, toSha),
      );
    },
    async findPullRequest(head, base) {
      try {
        const p = await gh.findPullRequest(repo, { head, base });
        return p ? summary(p) : { state: 'missing' };
      } catch (e) {
        return asObservationError(e);
      }
    },
    async openPullRequest(request) {
      const p = await asRole('github', 'pull-requests: write', config.repository, () =>
        gh.openPullRequest(repo, request),
      );
      return summary(p);
    },
  };
}

/**
 * Prepare's forge: the branch port, plus publish's file reads, API commit (the freeze commit:
 * blobs → tree → commit → non-forced ref update from the observed head), tags and lock.
 */
export function prepareForgePort(
  gh: GitHubForge,
  config: ReleaseConfig,
  options: BranchPortOptions = {},
): PrepareForgePort {
  const publish = publishForgePort(gh, config, {
    ...(options.commit ? { commit: options.commit } : {}),
  });
  return {
    ...branchPort(gh, config, options),
    readFile: publish.readFile,
    observeTag: publish.observeTag,
    listTags: publish.listTags,
    readLock: publish.readLock,
    writeLock: publish.writeLock,
    readLockVersion: publish.readLockVersion,
    readLockRecord: publish.readLockRecord,
    stageLock: publish.stageLock,
    moveLock: publish.moveLock,
    commitFiles: publish.commitFiles!,
  };
}
