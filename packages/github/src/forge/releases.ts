// Releases: find (drafts included), create or update the draft, publish, delete the draft.
import { gitHubMessage, statusOf } from '../client.js';
import { GitHubError } from '../errors.js';
import type { RepositoryName } from '../repository.js';
import type {
  DraftReleaseInput,
  DraftReleaseResult,
  MakeLatest,
  PublishResult,
  ReleaseInfo,
  ReleaseLookup,
} from '../types.js';
import { sleep, writeOnce, type ForgeContext } from './context.js';
import { toRelease } from './convert.js';
import { checkTag, notFoundRelease } from './guards.js';
import { getRef } from './refs.js';
import { classifyRefusal } from './refusals.js';

/**
 * Whether `permissions.push` proves this token has push access: true / false for a person's
 * token; undefined for an App installation token (GITHUB_TOKEN included), which GitHub tells
 * `push: false` even with write access (semantic-release/github#182): for those, access is
 * proven by what the token can do (a draft visible in the list, a create that succeeded).
 */
export async function canPush(ctx: ForgeContext, repo: RepositoryName): Promise<boolean | undefined> {
  const { data } = await ctx.call(`reading ${repo.owner}/${repo.repo}`, () =>
    ctx.octokit.rest.repos.get({ ...repo }),
  );
  const push = data.permissions?.push;
  return push === false && ctx.tokenKind === 'app' ? undefined : push;
}

const writtenKey = (repo: RepositoryName, tag: string) => `${repo.owner}/${repo.repo}#${tag}`;

/**
 * Finds the release for a tag, drafts included, by listing releases (GET /releases/tags/{tag}
 * never returns a draft, #507). Only a token with push access sees drafts in the list (#517),
 * so the lookup also reports whether drafts were visible: proven by a draft in the list or by
 * `permissions.push` where GitHub tells the truth (see canPush). The list lags behind a create:
 * a release this forge wrote and the list misses is read by id.
 */
export async function findRelease(
  ctx: ForgeContext,
  repo: RepositoryName,
  tag: string,
): Promise<ReleaseLookup> {
  checkTag(tag);
  const name = `${repo.owner}/${repo.repo}`;
  const [listed, push] = await Promise.all([
    ctx.call(`listing releases of ${name}`, () =>
      ctx.octokit.paginate(ctx.octokit.rest.repos.listReleases, { ...repo, per_page: 100 }),
    ),
    canPush(ctx, repo),
  ]);
  const all: typeof listed = [...listed];
  const mine = ctx.written.get(writtenKey(repo, tag));
  if (mine !== undefined && !all.some((r) => r.id === mine)) {
    try {
      const { data } = await ctx.octokit.rest.repos.getRelease({ ...repo, release_id: mine });
      if (data.tag_name === tag) all.push(data);
    } catch (e) {
      if (statusOf(e) !== 404) throw ctx.fail(e, `reading release ${mine} of ${name}`);
      ctx.written.delete(writtenKey(repo, tag));
    }
  }
  const draftsVisible = all.some((r) => r.draft) || mine !== undefined ? true : push;
  const matches = all.filter((r) => r.tag_name === tag);
  if (matches.length > 1) {
    // Several drafts may share a tag (GitHub allows it); a published one wins, else refuse.
    const published = matches.filter((r) => !r.draft);
    if (published.length !== 1)
      throw new GitHubError(
        'AMBIGUOUS',
        `${name} has ${matches.length} releases for tag ${tag} (ids ${matches.map((r) => r.id).join(', ')})`,
        {
          advice: 'delete the extra draft releases in the GitHub UI, keeping one',
        },
      );
    return { repository: repo, tag, release: toRelease(published[0]!), draftsVisible };
  }
  return { repository: repo, tag, release: matches[0] ? toRelease(matches[0]) : undefined, draftsVisible };
}

/** The draft release for a tag; a clear error if it is missing, invisible to this token, or published. */
export async function getDraftRelease(
  ctx: ForgeContext,
  repo: RepositoryName,
  tag: string,
): Promise<ReleaseInfo> {
  const found = await findRelease(ctx, repo, tag);
  if (!found.release) throw notFoundRelease(found);
  if (!found.release.draft)
    throw new GitHubError(
      'PRECONDITION_FAILED',
      `the release ${tag} of ${repo.owner}/${repo.repo} is already published, not a draft`,
      {
        advice:
          'published releases are immutable: if this version is done, there is nothing to promote; otherwise cut the next patch version',
      },
    );
  return found.release;
}

/**
 * Creates the draft release for a tag with the given notes. An existing draft is the retry
 * path (its notes are brought up to date); an existing published release is an error.
 */
export async function createDraftRelease(
  ctx: ForgeContext,
  repo: RepositoryName,
  input: DraftReleaseInput,
): Promise<DraftReleaseResult> {
  const name = `${repo.owner}/${repo.repo}`;
  const found = await findRelease(ctx, repo, input.tag);
  if (found.draftsVisible === false)
    throw new GitHubError(
      'FORBIDDEN',
      `the token cannot see draft releases of ${name}, so it cannot tell whether a draft for ${input.tag} exists`,
      {
        advice: 'use a token with push access (contents: write); only those see drafts',
      },
    );
  const existing = found.release;
  if (existing && !existing.draft)
    throw new GitHubError('PRECONDITION_FAILED', `${name} already has a published release ${input.tag}`, {
      advice: 'published releases are immutable and cannot be replaced: cut the next patch version',
    });
  const title = input.name ?? input.tag;
  const prerelease = input.prerelease ?? false;
  if (existing) {
    if (existing.notes === input.notes && existing.name === title && existing.prerelease === prerelease)
      return { outcome: 'unchanged', release: existing };
    const { data } = await ctx.call(`updating the draft release ${input.tag} of ${name}`, () =>
      ctx.octokit.rest.repos.updateRelease({
        ...repo,
        release_id: existing.id,
        body: input.notes,
        name: title,
        prerelease,
      }),
    );
    return {
      outcome: 'updated',
      release: await verifyRelease(ctx, repo, data.id, { draft: true, notes: input.notes }),
    };
  }
  if (input.requireTag ?? true) {
    const sha = await getRef(ctx, repo, `tags/${input.tag}`);
    if (!sha)
      throw new GitHubError('PRECONDITION_FAILED', `tag ${input.tag} does not exist in ${name}`, {
        advice: 'create the version tag first (createTag) so the draft is attached to the exact commit',
      });
  }
  // POST /releases is not idempotent: after an ambiguous failure, look for the draft (by tag, in
  // the list, through its lag) before creating again; the lock makes any draft there ours.
  const created = await writeOnce(
    ctx,
    `creating the draft release ${input.tag} of ${name}`,
    async () =>
      (
        await ctx.octokit.rest.repos.createRelease({
          ...repo,
          tag_name: input.tag,
          name: title,
          body: input.notes,
          draft: true,
          prerelease,
        })
      ).data.id,
    () => draftFor(ctx, repo, input.tag, input.notes),
  ).catch((e: unknown) => {
    throw classifyRefusal(ctx.fail(e, `creating the draft release ${input.tag} of ${name}`), repo, {
      ref: `refs/tags/${input.tag}`,
    });
  });
  ctx.written.set(writtenKey(repo, input.tag), created);
  return {
    outcome: 'created',
    release: await verifyRelease(ctx, repo, created, { draft: true, notes: input.notes }),
  };
}

/** The draft for `tag` carrying `notes`, polled through the list's lag; undefined if none shows. */
async function draftFor(
  ctx: ForgeContext,
  repo: RepositoryName,
  tag: string,
  notes: string,
): Promise<number | undefined> {
  for (let i = 0; i < ctx.readBackAttempts; i++) {
    const { data } = await ctx.call(`listing releases of ${repo.owner}/${repo.repo}`, () =>
      ctx.octokit.rest.repos.listReleases({ ...repo, per_page: 100 }),
    );
    const hit = data.find((r) => r.tag_name === tag && r.draft && r.body === notes);
    if (hit) return hit.id;
    await sleep(ctx.pollMs);
  }
  return undefined;
}

/**
 * Publishes the draft release of a tag (`draft: false`) with an explicit make_latest. Already
 * published counts as done, so a resumed promote goes on. This is irreversible.
 */
/**
 * Publishes the draft release of a tag. `draftId`: the id of the draft the caller has just
 * observed (the release engine does, in its gates), which saves the lookup; the published
 * release is read back either way and must carry the tag.
 */
export async function publishRelease(
  ctx: ForgeContext,
  repo: RepositoryName,
  tag: string,
  options: { makeLatest: MakeLatest; draftId?: number },
): Promise<PublishResult> {
  if (!['true', 'false', 'legacy'].includes(options.makeLatest))
    throw new GitHubError(
      'INVALID_INPUT',
      `makeLatest must be 'true', 'false' or 'legacy', not ${JSON.stringify(options.makeLatest)}`,
    );
  const name = `${repo.owner}/${repo.repo}`;
  let id = options.draftId;
  if (id === undefined) {
    const found = await findRelease(ctx, repo, tag);
    if (!found.release) throw notFoundRelease(found);
    if (!found.release.draft) return { outcome: 'already-published', release: found.release };
    id = found.release.id;
  }
  const releaseId = id;
  // PATCH draft:false is idempotent; after an ambiguous failure, read the release first anyway.
  await writeOnce<unknown>(
    ctx,
    `publishing the release ${tag} of ${name}`,
    () =>
      ctx.octokit.rest.repos
        .updateRelease({ ...repo, release_id: releaseId, draft: false, make_latest: options.makeLatest })
        .catch((e: unknown) => {
          // GitHub refuses make_latest on a prerelease (422 "Latest release cannot be draft or
          // prerelease", REST "Update a release"): a prerelease is never the latest.
          if (statusOf(e) === 422 && /cannot be draft or prerelease/i.test(gitHubMessage(e)))
            return ctx.octokit.rest.repos.updateRelease({
              ...repo,
              release_id: releaseId,
              draft: false,
              make_latest: 'false',
            });
          throw e;
        }),
    async () => {
      const { data } = await ctx.call(`reading release ${releaseId}`, () =>
        ctx.octokit.rest.repos.getRelease({ ...repo, release_id: releaseId }),
      );
      return data.draft ? undefined : data;
    },
  ).catch((e: unknown) => {
    throw classifyRefusal(ctx.fail(e, `publishing the release ${tag} of ${name}`), repo, {
      ref: `refs/tags/${tag}`,
    });
  });
  const release = await verifyRelease(ctx, repo, releaseId, { draft: false });
  if (release.tag !== tag)
    throw new GitHubError(
      'VERIFICATION_FAILED',
      `release ${releaseId} of ${name} is ${release.tag}, not ${tag}`,
      {
        advice: 'the release id does not belong to this tag; nothing else was changed',
      },
    );
  return { outcome: 'published', release };
}

/**
 * Deletes the draft release of a tag (the abandon path). A published release is never deleted:
 * on GitHub that burns the tag name forever (#1301).
 */
export async function deleteDraftRelease(
  ctx: ForgeContext,
  repo: RepositoryName,
  tag: string,
): Promise<{ outcome: 'deleted' | 'absent' }> {
  const found = await findRelease(ctx, repo, tag);
  if (!found.release) {
    if (found.draftsVisible === false) throw notFoundRelease(found);
    return { outcome: 'absent' };
  }
  if (!found.release.draft)
    throw new GitHubError(
      'PRECONDITION_FAILED',
      `refusing to delete the published release ${tag} of ${repo.owner}/${repo.repo}`,
      {
        advice:
          'deleting a published release tombstones its tag forever; fix forward with the next patch version',
      },
    );
  const id = found.release.id;
  await ctx.call(`deleting the draft release ${tag}`, () =>
    ctx.octokit.rest.repos.deleteRelease({ ...repo, release_id: id }),
  );
  return { outcome: 'deleted' };
}

async function verifyRelease(
  ctx: ForgeContext,
  repo: RepositoryName,
  id: number,
  want: { draft: boolean; notes?: string },
): Promise<ReleaseInfo> {
  const { data } = await ctx.call(`reading back release ${id}`, () =>
    ctx.octokit.rest.repos.getRelease({ ...repo, release_id: id }),
  );
  const r = toRelease(data);
  if (r.draft !== want.draft || (want.notes !== undefined && r.notes !== want.notes))
    throw new GitHubError(
      'VERIFICATION_FAILED',
      `release ${r.tag} (id ${id}) reads back as draft=${r.draft} with ${r.notes === want.notes ? 'the expected' : 'different'} notes after the write`,
      {
        advice: 'look at the release on GitHub; re-run to converge',
      },
    );
  return r;
}
