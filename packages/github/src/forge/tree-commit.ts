// Several files in ONE commit through the git data API: blobs → tree (on the parent's tree) →
// commit → the branch ref moved from the expected head only (no force), then every file read
// back at the new commit. The finalize commit uses it for the CHANGELOG, its mirrors and
// version files; an App's API commit is signed by GitHub, as a signed-commit ruleset requires.
import { GitHubError } from '../errors.js';
import type { RepositoryName } from '../repository.js';
import type { FilesCommitInput } from '../types.js';
import { sleep, writeOnce, type ForgeContext } from './context.js';
import { readFile } from './contents.js';
import { classifyRefusal } from './refusals.js';
import { getRef } from './refs.js';

export async function commitFiles(
  ctx: ForgeContext,
  repo: RepositoryName,
  input: FilesCommitInput,
): Promise<{ readonly commitSha: string }> {
  const name = `${repo.owner}/${repo.repo}`;
  const paths = input.files.map((f) => f.path).join(', ');
  const doing = `committing ${paths} to ${input.branch} of ${name}`;
  const moved = (head: string | undefined) =>
    new GitHubError(
      'CONFLICT',
      `${input.branch} of ${name} moved from ${input.parentSha.slice(0, 12)} to ${head?.slice(0, 12) ?? 'nothing'}; nothing was committed, re-run`,
    );
  const head = await getRef(ctx, repo, `heads/${input.branch}`);
  // GitHub answers 404 for a missing branch and for a repository the token cannot see alike:
  // ask the repository, so a token without access is refused as NOT_FOUND (which the caller
  // names by role) rather than reported as a branch that moved to nothing.
  if (head === undefined) await ctx.call(`reading ${name}`, () => ctx.octokit.rest.repos.get({ ...repo }));
  if (head !== input.parentSha) throw moved(head);
  const refuse = (e: unknown) => classifyRefusal(ctx.fail(e, doing), repo, { branch: input.branch });

  const { data: parent } = await ctx.call(`reading ${input.parentSha.slice(0, 12)}`, () =>
    ctx.octokit.rest.git.getCommit({ ...repo, commit_sha: input.parentSha }),
  );
  // Blobs, tree and commit are content-addressed: re-sending one after a lost answer (502,
  // dropped, cut short) is harmless (an unreferenced commit at worst), so writeOnce re-sends it
  // (no effect to look for) instead of failing the finalize; the plugins do not retry writes.
  const resend = <T>(write: () => Promise<{ data: T }>) =>
    writeOnce(
      ctx,
      doing,
      async () => (await write()).data,
      async () => undefined,
    ).catch((e: unknown) => {
      throw refuse(e);
    });
  const tree: { path: string; mode: '100644'; type: 'blob'; sha: string }[] = [];
  for (const f of input.files) {
    const blob = await resend(() =>
      ctx.octokit.rest.git.createBlob({
        ...repo,
        content: Buffer.from(f.content, 'utf8').toString('base64'),
        encoding: 'base64',
      }),
    );
    tree.push({ path: f.path, mode: '100644' as const, type: 'blob' as const, sha: blob.sha });
  }
  const newTree = await resend(() =>
    ctx.octokit.rest.git.createTree({ ...repo, base_tree: parent.tree.sha, tree }),
  );
  const commit = await resend(() =>
    ctx.octokit.rest.git.createCommit({
      ...repo,
      message: input.message,
      tree: newTree.sha,
      parents: [input.parentSha],
    }),
  );
  // Not forced: GitHub refuses a move that is not a fast-forward from the head the commit is on,
  // so a branch that moved in between is never overwritten.
  await ctx.octokit.rest.git
    .updateRef({ ...repo, ref: `heads/${input.branch}`, sha: commit.sha, force: false })
    .catch(async (e: unknown) => {
      const now = await getRef(ctx, repo, `heads/${input.branch}`);
      if (now === commit.sha) return; // applied, then the answer was lost
      if (now !== input.parentSha) throw moved(now);
      throw refuse(e);
    });
  // 1. The branch must move to the commit (poll: ref reads lag behind writes, #617).
  let tip: string | undefined;
  for (let i = 0; i < ctx.readBackAttempts; i++) {
    tip = await getRef(ctx, repo, `heads/${input.branch}`);
    if (tip === commit.sha) break;
    await sleep(ctx.pollMs);
  }
  if (tip !== commit.sha)
    throw new GitHubError(
      'VERIFICATION_FAILED',
      `${input.branch} of ${name} is at ${tip?.slice(0, 12) ?? 'nothing'}, not at the commit ${commit.sha.slice(0, 12)} just written`,
      { advice: 'someone pushed in between or GitHub lags: re-run to converge' },
    );
  // 2. Every file at that exact commit must hold its content (the #455 silent no-op).
  for (const f of input.files) {
    const landed = await readFile(ctx, repo, f.path, commit.sha);
    if (landed?.content !== f.content)
      throw new GitHubError(
        'VERIFICATION_FAILED',
        `the commit ${commit.sha.slice(0, 12)} on ${input.branch} does not contain the new ${f.path}`,
        { advice: `do not build or tag from ${input.branch}; inspect the commit, then re-run` },
      );
  }
  return { commitSha: commit.sha };
}
