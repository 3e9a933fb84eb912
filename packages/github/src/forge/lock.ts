// The release lock on GitHub: the ref refs/relkit-locks/<name> that only moves forward. Each
// state (held by X until T, released) is a new commit whose parent is the state it replaces,
// written by a NON-forced ref update, which GitHub refuses unless it is a fast-forward: so every
// move of the lock is one conditional write (compare-and-swap), and a write over a state that
// someone else moved meanwhile is refused instead of deleting their lock. GitHub has no
// conditional delete, so the lock ref is never deleted. What a state says is core's business
// (the record, JSON); this module only reads and writes it.
import { statusOf } from '../client.js';
import { GitHubError } from '../errors.js';
import type { RepositoryName } from '../repository.js';
import type { LockCommit, LockWrite } from '../types.js';
import { writeOnce, type ForgeContext } from './context.js';
import { createRef, getRef } from './refs.js';

/** The first line of every lock commit's message; the record follows after a blank line. */
const LOCK_MESSAGE = 'relkit-lock';
/** The one file of a lock commit's tree: the state is the message, the tree only has to exist. */
const LOCK_README =
  'relkit release lock: its state is the commit message; each state is a child of the one before.\n';

/**
 * The tree of each lock commit this context read or wrote: the next state reuses it, so a move
 * of the lock is one commit and one ref update (a tree is made only when the ref is created).
 */
const treesOf = new WeakMap<ForgeContext, Map<string, string>>();
const knownTrees = (ctx: ForgeContext) => {
  let m = treesOf.get(ctx);
  if (!m) treesOf.set(ctx, (m = new Map()));
  return m;
};

const lockRef = (name: string) => {
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw new GitHubError('INVALID_INPUT', `lock name "${name}" may use letters, digits, . _ - only`);
  return `refs/relkit-locks/${name}`;
};

/**
 * The lock's current commit and the record it carries; undefined when the ref does not exist.
 * A commit relkit did not write has an empty record (core reads that as held, fail closed).
 */
export async function readLock(
  ctx: ForgeContext,
  repo: RepositoryName,
  name: string,
): Promise<LockCommit | undefined> {
  const sha = await readLockVersion(ctx, repo, name);
  if (!sha) return undefined;
  return { name, ref: lockRef(name), sha, record: await readLockRecord(ctx, repo, name, sha) };
}

/** The lock's current commit alone (one request: the ref); undefined when the ref does not exist. */
export function readLockVersion(
  ctx: ForgeContext,
  repo: RepositoryName,
  name: string,
): Promise<string | undefined> {
  return getRef(ctx, repo, lockRef(name));
}

/**
 * The record the lock commit `sha` carries (one request: the commit, whose tree the next state
 * reuses); empty for a commit relkit did not write.
 */
export async function readLockRecord(
  ctx: ForgeContext,
  repo: RepositoryName,
  name: string,
  sha: string,
): Promise<string> {
  const { data } = await ctx.call(`reading lock ${name}`, () =>
    ctx.octokit.rest.git.getCommit({ ...repo, commit_sha: sha }),
  );
  knownTrees(ctx).set(sha, data.tree.sha);
  return data.message.startsWith(`${LOCK_MESSAGE}\n`) ? data.message.slice(LOCK_MESSAGE.length).trim() : '';
}

/**
 * Writes `record` as the lock's next state, only over the commit `from` (undefined: only when
 * the ref does not exist). One conditional write: a commit with parent `from` (stageLock), then
 * the ref moved without force (moveLock). A refused write is `written: false`, never an error:
 * the caller reads again and sees who won.
 */
export async function writeLock(
  ctx: ForgeContext,
  repo: RepositoryName,
  name: string,
  from: string | undefined,
  record: string,
): Promise<LockWrite> {
  const commit = await stageLock(ctx, repo, name, from, record);
  return (await moveLock(ctx, repo, name, from, commit))
    ? { written: true, sha: commit }
    : { written: false };
}

/**
 * The commit of a next state: `record` as its message, parent `from` (none when the ref is to be
 * created), the tree of `from` when this context read or wrote it (else the one-file tree is
 * made: one request more). The ref does not move: a staged commit no ref points at is invisible.
 */
export async function stageLock(
  ctx: ForgeContext,
  repo: RepositoryName,
  name: string,
  from: string | undefined,
  record: string,
): Promise<string> {
  lockRef(name);
  const doing = `writing lock ${name}`;
  // Tree and commit are content-addressed: re-sending either after a lost answer is harmless
  // (a commit no ref points at is invisible; only the ref that points at one is the lock).
  const resend = async () => undefined;
  const tree =
    (from ? knownTrees(ctx).get(from) : undefined) ??
    (await writeOnce(
      ctx,
      doing,
      async () =>
        (
          await ctx.octokit.rest.git.createTree({
            ...repo,
            tree: [{ path: 'README', mode: '100644', type: 'blob', content: LOCK_README }],
          })
        ).data.sha,
      resend,
    ).catch((e: unknown) => {
      throw ctx.fail(e, doing);
    }));
  const commit = await writeOnce(
    ctx,
    doing,
    async () =>
      (
        await ctx.octokit.rest.git.createCommit({
          ...repo,
          message: `${LOCK_MESSAGE}\n\n${record}`,
          tree,
          parents: from ? [from] : [],
        })
      ).data.sha,
    resend,
  ).catch((e: unknown) => {
    throw ctx.fail(e, doing);
  });
  knownTrees(ctx).set(commit, tree);
  return commit;
}

/**
 * Moves the lock ref from `from` to the staged commit `to` (a child of `from`), or creates it at
 * `to` when `from` is undefined. The conditional write: GitHub answers 422 "Update is not a fast
 * forward" when the ref moved, "Reference already exists" when it was created meanwhile. False
 * when refused.
 */
export async function moveLock(
  ctx: ForgeContext,
  repo: RepositoryName,
  name: string,
  from: string | undefined,
  to: string,
): Promise<boolean> {
  const ref = lockRef(name);
  const doing = `writing lock ${name}`;
  if (!from) {
    // createRef answers "exists" (created: false) for a 422 and reads back an ambiguous create;
    // any other refusal (a ruleset on refs/relkit-locks/) is thrown as it is.
    const r = await createRef(ctx, repo, ref, to, { readBack: false });
    return r.created;
  }
  try {
    await writeOnce(
      ctx,
      doing,
      async () => {
        await ctx.octokit.rest.git.updateRef({
          ...repo,
          ref: ref.slice('refs/'.length),
          sha: to,
          force: false,
        });
        return true;
      },
      // After an ambiguous failure: the ref at our commit is our write.
      async () => ((await getRef(ctx, repo, ref)) === to ? true : undefined),
    );
    return true;
  } catch (e) {
    // 422: not a fast-forward from where the ref is now (someone moved it), or the ref is gone.
    // A retried update whose first try landed reads back at our commit: that is our write.
    if (statusOf(e) === 422) return (await getRef(ctx, repo, ref)) === to;
    throw ctx.fail(e, doing);
  }
}
