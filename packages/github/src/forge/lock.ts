// The release lock: a ref under refs/relkit-locks/ at a commit that says who holds it until when.
import { GitHubError } from '../errors.js';
import type { RepositoryName } from '../repository.js';
import type { LockInfo, LockResult } from '../types.js';
import { writeOnce, type ForgeContext } from './context.js';
import { createRef, deleteRef, getRef } from './refs.js';

const LOCK_MESSAGE = 'relkit-lock';

/**
 * Takes a lock named `name` as the ref `refs/relkit-locks/<name>`: creating a ref is atomic
 * (422 if it exists). The ref points at a commit whose message records holder and expiry, so
 * another machine can see who holds it and take over once it expired.
 */
/**
 * Takes a lock ref. `branch` names an existing branch whose tree the lock commit reuses (the
 * default branch when omitted, which costs one more read).
 */
export async function acquireLock(
  ctx: ForgeContext,
  repo: RepositoryName,
  name: string,
  options: { holder: string; ttlMs: number; now?: Date; branch?: string },
): Promise<LockResult> {
  return takeLock(ctx, repo, name, options, 1);
}

async function takeLock(
  ctx: ForgeContext,
  repo: RepositoryName,
  name: string,
  options: { holder: string; ttlMs: number; now?: Date; branch?: string },
  attempt: number,
): Promise<LockResult> {
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw new GitHubError('INVALID_INPUT', `lock name "${name}" may use letters, digits, . _ - only`);
  const ref = `refs/relkit-locks/${name}`;
  const now = options.now ?? new Date();
  const info = {
    holder: options.holder,
    acquiredAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + options.ttlMs).toISOString(),
  };
  const sha = await lockCommit(ctx, repo, info, options.branch);
  // The 201 of an atomic create is the proof of the lock: no read-back on this path.
  const first = await createRef(ctx, repo, ref, sha, { readBack: false });
  if (first.created) return { acquired: true, lock: { name, ref, sha, ...info }, tookOverExpired: false };
  const held = await readLock(ctx, repo, name);
  if (!held) {
    // Released between our create and our read: race again, a bounded number of times.
    if (attempt >= 3) throw new GitHubError('CONFLICT', `lock ${name} keeps changing hands; retry later`);
    return takeLock(ctx, repo, name, options, attempt + 1);
  }
  if (Date.parse(held.expiresAt) > now.getTime()) return { acquired: false, heldBy: held };
  // Expired: delete exactly the expired lock, then race for a fresh create like anyone else.
  await deleteRef(ctx, repo, ref, { expectedSha: held.sha }).catch((e: unknown) => {
    if (!(e instanceof GitHubError && e.code === 'CONFLICT')) throw e;
  });
  const second = await createRef(ctx, repo, ref, sha, { readBack: false });
  if (second.created) return { acquired: true, lock: { name, ref, sha, ...info }, tookOverExpired: true };
  const winner = await readLock(ctx, repo, name);
  if (!winner) throw new GitHubError('CONFLICT', `lock ${name} changed hands while taking it over; retry`);
  return { acquired: false, heldBy: winner };
}

/** Who holds a lock, or undefined when it is free. */
export async function readLock(
  ctx: ForgeContext,
  repo: RepositoryName,
  name: string,
): Promise<LockInfo | undefined> {
  const ref = `refs/relkit-locks/${name}`;
  const sha = await getRef(ctx, repo, ref);
  if (!sha) return undefined;
  const { data } = await ctx.call(`reading lock ${name}`, () =>
    ctx.octokit.rest.git.getCommit({ ...repo, commit_sha: sha }),
  );
  const json = data.message.startsWith(LOCK_MESSAGE) ? data.message.slice(LOCK_MESSAGE.length).trim() : '';
  try {
    const parsed = JSON.parse(json) as { holder?: unknown; acquiredAt?: unknown; expiresAt?: unknown };
    if (
      typeof parsed.holder === 'string' &&
      typeof parsed.expiresAt === 'string' &&
      typeof parsed.acquiredAt === 'string'
    )
      return {
        name,
        ref,
        sha,
        holder: parsed.holder,
        acquiredAt: parsed.acquiredAt,
        expiresAt: parsed.expiresAt,
      };
  } catch {
    // fall through: a ref that relkit did not write
  }
  // Not a relkit lock commit: treat as held forever by someone unknown (fail closed).
  return {
    name,
    ref,
    sha,
    holder: 'unknown (not a relkit lock commit)',
    acquiredAt: data.committer.date ?? '',
    expiresAt: '9999-12-31T00:00:00.000Z',
  };
}

/** Releases a lock this holder took; a lock someone else holds now is left alone. */
export async function releaseLock(
  ctx: ForgeContext,
  repo: RepositoryName,
  lock: LockInfo,
): Promise<{ released: boolean }> {
  try {
    return { released: (await deleteRef(ctx, repo, lock.ref, { expectedSha: lock.sha })).deleted };
  } catch (e) {
    if (e instanceof GitHubError && e.code === 'CONFLICT') return { released: false };
    throw e;
  }
}

async function lockCommit(
  ctx: ForgeContext,
  repo: RepositoryName,
  info: { holder: string; acquiredAt: string; expiresAt: string },
  knownBranch?: string,
): Promise<string> {
  const branch =
    knownBranch ??
    (await ctx.call('reading the repository', () => ctx.octokit.rest.repos.get({ ...repo }))).data
      .default_branch;
  const head = await getRef(ctx, repo, `heads/${branch}`);
  if (!head)
    throw new GitHubError('NOT_FOUND', `the branch ${branch} of ${repo.owner}/${repo.repo} has no commit`);
  const { data: tip } = await ctx.call('reading the default branch tip', () =>
    ctx.octokit.rest.git.getCommit({ ...repo, commit_sha: head }),
  );
  // An orphan commit reusing an existing tree: nothing new is stored but the message.
  // Writing it again after an ambiguous failure is harmless: a commit no ref points at is
  // invisible (and garbage-collected); only the ref that points at one is the lock.
  const sha = await writeOnce(
    ctx,
    'writing the lock commit',
    async () =>
      (
        await ctx.octokit.rest.git.createCommit({
          ...repo,
          message: `${LOCK_MESSAGE}\n\n${JSON.stringify(info)}`,
          tree: tip.tree.sha,
          parents: [],
        })
      ).data.sha,
    async () => undefined,
  ).catch((e: unknown) => {
    throw ctx.fail(e, 'writing the lock commit');
  });
  return sha;
}
