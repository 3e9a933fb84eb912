// Core's PublishForgePort (the publish phase) over GitHubForge, beside forgePort (promote).
// Translation only: the decisions are core's, the HTTP calls and read-backs GitHubForge's.
import type { PublishForgePort, ReleaseConfig } from '@relkit/release-core';
import { GitHubError } from './errors.js';
import type { GitHubForge } from './forge.js';
import { forgePort, toReleaseObservation } from './release-port.js';
import { parseRepository } from './repository.js';
import { asRole } from './token-roles.js';

export interface PublishForgePortOptions {
  /** The forge with the commit token (API commits); `gh` by default. */
  readonly commit?: GitHubForge;
  /** The forge with the smoke token (dispatch to, and releases of, the smoke repository); `commit` by default. */
  readonly smoke?: GitHubForge;
}

/**
 * The publish phase's forge over GitHub: the observations and the lock are promote's own
 * (`forgePort`: drafts found by listing, "cannot see drafts" an error, latest check run per name),
 * plus the writes only publish makes — the CHANGELOG commit, the tag, the draft release and the
 * smoke-test dispatch — each read back by GitHubForge.
 */
export function publishForgePort(
  gh: GitHubForge,
  config: ReleaseConfig,
  options: PublishForgePortOptions = {},
): PublishForgePort {
  const repo = parseRepository(config.repository);
  const committer = options.commit ?? gh;
  const smoker = options.smoke ?? committer;
  const base = forgePort(gh, {
    smokeForge: smoker,
    repository: repo,
    requireApproval: config.requireApproval,
    ...(config.smoke
      ? { smoke: { repository: parseRepository(config.smoke.repository), rule: config.smoke.success } }
      : {}),
  });
  return {
    observeRelease: base.observeRelease,
    observeSmoke: base.observeSmoke,
    observePullRequest: base.observePullRequest,
    observeTag: base.observeTag,
    listTags: base.listTags,
    readLock: base.readLock,
    writeLock: base.writeLock,
    readLockVersion: base.readLockVersion,
    readLockRecord: base.readLockRecord,
    stageLock: base.stageLock,
    moveLock: base.moveLock,
    async observeBranch(branch) {
      const sha = await gh.getRef(repo, `heads/${branch}`);
      return sha ? { state: 'found', branch, sha } : { state: 'missing', branch };
    },
    async readFile(path, ref) {
      const f = await gh.readFile(repo, path, ref);
      return f ? { state: 'found', path, ref, content: f.content } : { state: 'missing', path, ref };
    },
    async commitFile(change) {
      // The contents API guards on the file's blob; guard on the branch head too, so a commit
      // computed from an older head is refused rather than written over newer work.
      const head = await gh.getRef(repo, `heads/${change.branch}`);
      if (head !== change.parentSha) {
        throw new GitHubError(
          'CONFLICT',
          `${change.branch} moved from ${change.parentSha.slice(0, 12)} to ${head?.slice(0, 12) ?? 'nothing'}; re-run`,
        );
      }
      const r = await asRole('commit', 'contents: write', config.repository, () =>
        committer.commitFile(repo, {
          branch: change.branch,
          path: change.path,
          content: change.content,
          message: change.message,
        }),
      );
      return { sha: r.commitSha };
    },
    async commitFiles(change) {
      const r = await asRole('commit', 'contents: write', config.repository, () =>
        committer.commitFiles(repo, {
          branch: change.branch,
          files: change.files,
          message: change.message,
          parentSha: change.parentSha,
        }),
      );
      return { sha: r.commitSha };
    },
    async createTag(tag, sha) {
      await asRole('github', 'contents: write', config.repository, () => gh.createTag(repo, tag, sha));
    },
    async createDraftRelease(req) {
      const r = await asRole('github', 'contents: write', config.repository, () =>
        gh.createDraftRelease(repo, {
          tag: req.tag,
          name: req.name,
          notes: req.notes,
          prerelease: req.prerelease,
        }),
      );
      return toReleaseObservation(r.release);
    },
    async dispatch(req) {
      const { correlation_id: correlationId, ...payload } = req.clientPayload;
      await asRole('smoke', 'contents: write (repository_dispatch)', req.repository, () =>
        smoker.dispatch(parseRepository(req.repository), {
          eventType: req.eventType,
          correlationId: correlationId ?? '',
          payload,
        }),
      );
    },
  };
}
