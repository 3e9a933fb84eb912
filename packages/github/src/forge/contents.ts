// File contents: read a file at a ref, commit a file through the contents API (read back).
import { statusOf } from '../client.js';
import { GitHubError } from '../errors.js';
import type { RepositoryName } from '../repository.js';
import type { FileCommitInput, FileCommitResult } from '../types.js';
import { sleep, writeOnce, type ForgeContext } from './context.js';
import { classifyRefusal } from './refusals.js';
import { getRef } from './refs.js';

/**
 * Commits one file's new content to a branch through the contents API (works on protected
 * branches for apps with bypass), then reads back from the commit it returned that the
 * content landed. A "successful" API commit that changed nothing fails loudly (#455).
 */
export async function commitFile(
  ctx: ForgeContext,
  repo: RepositoryName,
  input: FileCommitInput,
): Promise<FileCommitResult> {
  const name = `${repo.owner}/${repo.repo}`;
  const current = await readFile(ctx, repo, input.path, input.branch);
  if (current && current.content === input.content) {
    const head = await getRef(ctx, repo, `heads/${input.branch}`);
    return { outcome: 'unchanged', commitSha: head ?? '', blobSha: current.sha };
  }
  const doing = `committing ${input.path} to ${input.branch} of ${name}`;
  // PUT contents is guarded by the file's blob SHA, but after an ambiguous failure the commit may
  // be there: the branch head is a commit with our message and our content, whose parent held
  // the blob we replaced.
  const written = async (): Promise<string | undefined> => {
    const head = await getRef(ctx, repo, `heads/${input.branch}`);
    if (!head) return undefined;
    const { data: c } = await ctx.call(`reading ${head.slice(0, 12)}`, () =>
      ctx.octokit.rest.git.getCommit({ ...repo, commit_sha: head }),
    );
    const parent = c.parents[0]?.sha;
    if (c.message !== input.message || !parent) return undefined;
    const [landed, replaced] = await Promise.all([
      readFile(ctx, repo, input.path, head),
      readFile(ctx, repo, input.path, parent),
    ]);
    return landed?.content === input.content && replaced?.sha === current?.sha ? head : undefined;
  };
  const data = await writeOnce<{ commit: { sha?: string } }>(
    ctx,
    doing,
    async () =>
      (
        await ctx.octokit.rest.repos.createOrUpdateFileContents({
          ...repo,
          path: input.path,
          branch: input.branch,
          message: input.message,
          content: Buffer.from(input.content, 'utf8').toString('base64'),
          ...(current ? { sha: current.sha } : {}),
        })
      ).data,
    async () => {
      const sha = await written();
      return sha ? { commit: { sha } } : undefined;
    },
  ).catch((e: unknown) => {
    const err = ctx.fail(e, doing, {
      409: `${input.path} changed on ${input.branch} while committing: re-run`,
      404: `branch ${input.branch} does not exist in ${name}`,
    });
    throw classifyRefusal(err, repo, { branch: input.branch });
  });
  const commitSha = data.commit.sha;
  if (!commitSha)
    throw new GitHubError(
      'UNEXPECTED_RESPONSE',
      `GitHub returned no commit SHA for the write to ${input.path}`,
    );
  // 1. The branch must move to the returned commit (poll: ref reads lag behind writes, #617).
  let tip: string | undefined;
  for (let i = 0; i < ctx.readBackAttempts; i++) {
    tip = await getRef(ctx, repo, `heads/${input.branch}`);
    if (tip === commitSha) break;
    await sleep(ctx.pollMs);
  }
  if (tip !== commitSha)
    throw new GitHubError(
      'VERIFICATION_FAILED',
      `${input.branch} of ${name} is at ${tip?.slice(0, 12) ?? 'nothing'}, not at the commit ${commitSha.slice(0, 12)} GitHub returned`,
      {
        advice: 'someone pushed in between or GitHub lags: re-run to converge',
      },
    );
  // 2. The file at that exact commit must hold the content (the #455 silent no-op).
  const landed = await readFile(ctx, repo, input.path, commitSha);
  if (landed?.content !== input.content)
    throw new GitHubError(
      'VERIFICATION_FAILED',
      `the commit ${commitSha.slice(0, 12)} on ${input.branch} does not contain the new ${input.path}: the API write was a silent no-op`,
      { advice: `do not build or tag from ${input.branch}; inspect the commit, then re-run` },
    );
  return { outcome: 'committed', commitSha, blobSha: landed.sha };
}

// fatal: refuse bytes that are not UTF-8 rather than replace them; ignoreBOM keeps a BOM as text.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A file's text at a ref (branch, tag or SHA); undefined if absent. */
export async function readFile(
  ctx: ForgeContext,
  repo: RepositoryName,
  path: string,
  ref: string,
): Promise<{ content: string; sha: string } | undefined> {
  try {
    const { data } = await ctx.octokit.rest.repos.getContent({ ...repo, path, ref });
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data))
      throw new GitHubError('UNEXPECTED_RESPONSE', `${path} at ${ref} is not a file`);
    let content: string;
    try {
      content = UTF8.decode(Buffer.from(data.content, 'base64'));
    } catch {
      // Decoded loosely, a Latin-1 byte would become U+FFFD in every commit written back.
      throw new GitHubError(
        'UNEXPECTED_RESPONSE',
        `${path} at ${ref} is not valid UTF-8 text (binary, or saved as Latin-1 or UTF-16?)`,
        { advice: `save ${path} as UTF-8 and push it, then re-run` },
      );
    }
    return { content, sha: data.sha };
  } catch (e) {
    if (statusOf(e) === 404) return undefined;
    throw ctx.fail(e, `reading ${path} at ${ref}`);
  }
}
