// Core's PackagesPort (RC clean-up on ghcr.io) over GitHubForge's Packages API calls. An image
// `ghcr.io/OWNER/NAME…` is the container package NAME… of OWNER, an organization or a user:
// the organization route is tried first, the user route on its 404, and the answer remembered.
import type { PackageVersion, PackagesPort } from '@relkit/release-core';
import { GitHubError } from './errors.js';
import type { GitHubForge } from './forge.js';
import type { ContainerPackage } from './types.js';

export interface PackagesPortOptions {
  /**
   * Which token the forge holds, as the user sets it, for refusals. Default: the registry token
   * (what pushes to ghcr.io: GITHUB_TOKEN in a workflow).
   */
  readonly tokenName?: string;
}

export const DEFAULT_PACKAGES_TOKEN_NAME =
  'the registry token (RELKIT_REGISTRY_PASSWORD / Action input registry-password; default GITHUB_TOKEN)';

/** What a token needs to list and delete container package versions. */
export const PACKAGES_PERMISSIONS = {
  read: '`packages: read` (a classic token: `read:packages`)',
  delete:
    '`packages: write` with Admin on the package (GITHUB_TOKEN: the repository granted Admin in the package settings; a classic token: `delete:packages` and `read:packages`)',
} as const;

/** `ghcr.io/acme/tools/cli` → owner acme, package `tools/cli`. */
export function containerPackageOf(image: string): { owner: string; name: string } {
  const path = image.replace(/[@:][^/]*$/, '').split('/');
  // The first part is the registry host; the owner follows; the rest is the package name.
  const [, owner, ...name] = path;
  if (!owner || name.length === 0)
    throw new GitHubError(
      'INVALID_INPUT',
      `${image} does not name a container package: expected REGISTRY/OWNER/NAME (e.g. ghcr.io/acme/app)`,
    );
  return { owner, name: name.join('/') };
}

function refusal(e: unknown, what: string, permission: string, tokenName: string): unknown {
  if (!(e instanceof GitHubError) || e.code !== 'FORBIDDEN') return e;
  return new GitHubError('FORBIDDEN', `${tokenName} lacks ${permission} for ${what}: ${e.message}`, {
    ...(e.status !== undefined ? { status: e.status } : {}),
    ...(e.requestId !== undefined ? { requestId: e.requestId } : {}),
    cause: e,
    advice: `give ${tokenName} ${permission}; an App installation token cannot write organization-owned GHCR packages, the workflow's GITHUB_TOKEN can`,
  });
}

export function packagesPort(forge: GitHubForge, options: PackagesPortOptions = {}): PackagesPort {
  const tokenName = options.tokenName ?? DEFAULT_PACKAGES_TOKEN_NAME;
  // Owner type by owner, once GitHub has answered for it.
  const ownerTypes = new Map<string, ContainerPackage['ownerType']>();

  const lookUp = async (image: string, signal?: AbortSignal) => {
    const { owner, name } = containerPackageOf(image);
    const known = ownerTypes.get(owner);
    for (const ownerType of known ? [known] : (['org', 'user'] as const)) {
      const p: ContainerPackage = { owner, name, ownerType };
      let versions;
      try {
        versions = await forge.listContainerVersions(p, signal);
      } catch (e) {
        throw refusal(e, `the container package ${name} of ${owner}`, PACKAGES_PERMISSIONS.read, tokenName);
      }
      if (versions) {
        ownerTypes.set(owner, ownerType);
        return { p, versions };
      }
    }
    throw new GitHubError(
      'NOT_FOUND',
      `no container package ${name} of organization or user ${owner} is visible to ${tokenName}`,
      {
        advice: `check the image name, and that ${tokenName} has ${PACKAGES_PERMISSIONS.read} on the package (GitHub answers 404 for a package the token cannot see)`,
      },
    );
  };

  return {
    async listVersions(image, signal): Promise<readonly PackageVersion[]> {
      return (await lookUp(image, signal)).versions;
    },
    async deleteVersion(image, id, signal) {
      const { owner, name } = containerPackageOf(image);
      const ownerType = ownerTypes.get(owner) ?? (await lookUp(image, signal)).p.ownerType;
      try {
        return await forge.deleteContainerVersion({ owner, name, ownerType }, id, signal);
      } catch (e) {
        throw refusal(
          e,
          `deleting version ${id} of the container package ${name} of ${owner}`,
          PACKAGES_PERMISSIONS.delete,
          tokenName,
        );
      }
    },
  };
}
