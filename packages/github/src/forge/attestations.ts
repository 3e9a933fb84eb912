// Artifact attestations: the Sigstore bundles actions/attest* stored at GitHub (without
// push-to-registry), listed by subject digest, for signature discovery beside the registry.
import { statusOf } from '../client.js';
import type { RepositoryName } from '../repository.js';
import type { ForgeContext } from './context.js';

/**
 * The bundles (JSON values) of `repo`'s attestations whose subject is `digest` (one page of
 * up to 100, newest first). None is an empty list: GitHub answers 404 when there are none.
 */
export async function listAttestations(
  ctx: ForgeContext,
  repo: RepositoryName,
  digest: string,
  signal?: AbortSignal,
): Promise<readonly unknown[]> {
  try {
    const r = await ctx.octokit.request('GET /repos/{owner}/{repo}/attestations/{subject_digest}', {
      owner: repo.owner,
      repo: repo.repo,
      subject_digest: digest,
      per_page: 100,
      ...(signal ? { request: { signal } } : {}),
    });
    return (r.data.attestations ?? []).map((a) => a.bundle as unknown);
  } catch (e) {
    if (statusOf(e) === 404) return [];
    throw ctx.fail(e, `listing the attestations of ${digest} in ${repo.owner}/${repo.repo}`);
  }
}
