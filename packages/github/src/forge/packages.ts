// Container packages (ghcr.io) through the GitHub Packages API: list a package's versions, delete
// one. ghcr.io answers an OCI manifest DELETE with 405 UNSUPPORTED; this is its way to delete.
import { statusOf } from '../client.js';
import type { ContainerPackage, ContainerVersion } from '../types.js';
import type { ForgeContext } from './context.js';

const root = (p: ContainerPackage) =>
  p.ownerType === 'org'
    ? { path: '/orgs/{org}', params: { org: p.owner } }
    : { path: '/users/{username}', params: { username: p.owner } };

const describe = (p: ContainerPackage) =>
  `container package ${p.name} of ${p.ownerType === 'org' ? 'organization' : 'user'} ${p.owner}`;

/**
 * Every version of a container package (all pages, newest first): id, digest and tags. Undefined
 * when GitHub answers 404 (no such package for this owner type, or the token cannot see it).
 */
export async function listContainerVersions(
  ctx: ForgeContext,
  p: ContainerPackage,
  signal?: AbortSignal,
): Promise<ContainerVersion[] | undefined> {
  const r = root(p);
  const route = `GET ${r.path}/packages/{package_type}/{package_name}/versions` as const;
  try {
    const params = {
      ...r.params,
      package_type: 'container' as const,
      package_name: p.name,
      // The user-owned operation is described without page parameters: GitHub's Link header pages it.
      ...(p.ownerType === 'org' ? { per_page: 100 } : {}),
      ...(signal ? { request: { signal } } : {}),
    };
    const versions = (await ctx.octokit.paginate(
      route as 'GET /orgs/{org}/packages/{package_type}/{package_name}/versions',
      params as never,
    )) as {
      id: number;
      name: string;
      metadata?: { container?: { tags?: string[] } };
    }[];
    return versions.map((v) => ({ id: v.id, digest: v.name, tags: v.metadata?.container?.tags ?? [] }));
  } catch (e) {
    if (statusOf(e) === 404) return undefined;
    throw ctx.fail(e, `listing the versions of ${describe(p)}`);
  }
}

/** Deletes one version of a container package; false when it was already gone (404). */
export async function deleteContainerVersion(
  ctx: ForgeContext,
  p: ContainerPackage,
  id: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const r = root(p);
  const route = `DELETE ${r.path}/packages/{package_type}/{package_name}/versions/{package_version_id}`;
  try {
    await ctx.octokit.request(route, {
      ...r.params,
      package_type: 'container',
      package_name: p.name,
      package_version_id: id,
      ...(signal ? { request: { signal } } : {}),
    });
    return true;
  } catch (e) {
    if (statusOf(e) === 404) return false;
    throw ctx.fail(e, `deleting version ${id} of ${describe(p)}`);
  }
}
