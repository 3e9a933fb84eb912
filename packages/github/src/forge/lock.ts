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
  const ref = lockRef(name);
  const sha = await getRef(ctx, repo, ref);
  if (!sha) return undefined;
  const { data } = await ctx.call(`reading lock ${name}`, () =>
    ctx.octokit.rest.git.getCommit({ ...repo, commit_sha: sha }),
  );
  knownTrees(ctx).set(sha, data.tree.sha);
  const record = data.message.startsWith(`${LOCK_MESSAGE}\n`)
    ? data.message.slice(LOCK_MESSAGE.length).trim()
    : '';
  return { name, ref, sha, record };
}

/**
 * Writes `record` as the lock's next state, only over the commit `from` (undefined: only when
 * the ref does not exist). One conditional write: a commit with parent `from`, then the ref
 * moved without force (GitHub answers 422 "Update is not a fast forward" when it moved), or the
 * ref created (422 "Reference already exists"). A refused write is `written: false`, never an
 * error: the caller reads again and sees who won.
 */
export async function writeLock(
  ctx: ForgeContext,
  repo: RepositoryName,
  name: string,
  from: string | undefined,
  record: string,
): Promise<LockWrite> {
  const ref = lockRef(name);
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
  if (!from) {
    // createRef answers "exists" (created: false) for a 422 and reads back an ambiguous create;
    // any other refusal (a ruleset on refs/relkit-locks/) is thrown as it is.
    const r = await createRef(ctx, repo, ref, commit, { readBack: false });
    return r.created ? { written: true, sha: commit } : { written: false };
  }
  try {
    await writeOnce(
      ctx,
      doing,
      async () => {
        await ctx.octokit.rest.git.updateRef({
          ...repo,
          ref: ref.slice('refs/'.length),
          sha: commit,
          force: false,
        });
        return true;
      },
      // After an ambiguous failure: the ref at our commit is our write.
      async () => ((await getRef(ctx, repo, ref)) === commit ? true : undefined),
    );
    return { written: true, sha: commit };
  } catch (e) {
    // 422: not a fast-forward from where the ref is now (someone moved it), or the ref is gone.
    // A retried update whose first try landed reads back at our commit: that is our write.
    if (statusOf(e) === 422) {
      return (await getRef(ctx, repo, ref)) === commit ? { written: true, sha: commit } : { written: false };
    }
    throw ctx.fail(e, doing);
  }
}
