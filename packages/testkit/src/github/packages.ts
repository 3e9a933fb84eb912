// The GitHub Packages API for container packages (ghcr.io): list a package's versions, delete
// one, for an organization's or a user's package. A package's versions come from a source the
// scenario gives: a fixed list, or a live view of a registry repository (registryPackageSource),
// so a delete here removes the manifest there, as on ghcr.io.
import type { MatchedOperation } from './openapi.js';
import type { JsonObject } from './objects.js';
import { DOCS, err, type SimState, type SimToken } from './state.js';

/** One package version as a source knows it: a manifest digest and its tags. */
export interface SimPackageManifest {
  readonly digest: string;
  readonly tags: readonly string[];
}

/** Where a container package's versions live. */
export interface SimPackageSource {
  list(): Promise<readonly SimPackageManifest[]>;
  /** Deletes the manifest (and with it every tag on it). */
  remove(digest: string): Promise<void>;
}

export interface SimPackageOptions {
  /** 'org' (GET /orgs/{org}/…) or 'user' (GET /users/{username}/…); default 'org'. */
  readonly ownerType?: 'org' | 'user';
  /**
   * The repository the package is linked to: a token limited to repositories (GITHUB_TOKEN) may
   * delete versions only of a package linked to one of them.
   */
  readonly repository?: string;
}

interface SimPackage {
  readonly owner: string;
  readonly name: string;
  readonly ownerType: 'org' | 'user';
  readonly repository: string | undefined;
  readonly source: SimPackageSource;
  /** GitHub's version ids, one per digest, assigned on first sight and never reused. */
  readonly ids: Map<string, number>;
  readonly created: Map<string, string>;
}

export type PackageAnswer = { status: number; body?: unknown; headers?: Record<string, string> };

/** A fixed list of versions (deleting drops one): for tests without a registry. */
export function memoryPackageSource(manifests: readonly SimPackageManifest[]): SimPackageSource {
  let list = [...manifests];
  return {
    list: async () => list,
    remove: async (digest) => {
      list = list.filter((m) => m.digest !== digest);
    },
  };
}

export function packagesResource(s: SimState) {
  const packages = new Map<string, SimPackage>();
  const key = (type: 'org' | 'user', owner: string, name: string) => `${type}:${owner}/${name}`.toLowerCase();

  const versionJson = (p: SimPackage, m: SimPackageManifest): JsonObject => {
    let id = p.ids.get(m.digest);
    if (id === undefined) {
      p.ids.set(m.digest, (id = s.id()));
      p.created.set(m.digest, s.now());
    }
    const root = p.ownerType === 'org' ? `orgs/${p.owner}` : `users/${p.owner}`;
    const encoded = encodeURIComponent(p.name);
    const at = p.created.get(m.digest)!;
    return {
      id,
      name: m.digest,
      url: `${s.base.api}/${root}/packages/container/${encoded}/versions/${id}`,
      package_html_url: `${s.base.web}/${root}/packages/container/package/${encoded}`,
      html_url: `${s.base.web}/${root}/packages/container/${encoded}/${id}`,
      created_at: at,
      updated_at: at,
      metadata: { package_type: 'container', container: { tags: [...m.tags] } },
    };
  };

  /** Answers a packages/* operation (it has no repository in its path, so it is routed here). */
  async function handle(
    op: MatchedOperation,
    query: URLSearchParams,
    token: SimToken,
  ): Promise<PackageAnswer> {
    const type = op.params.org !== undefined ? 'org' : 'user';
    const owner = op.params.org ?? op.params.username ?? '';
    const p = packages.get(key(type, owner, op.params.package_name ?? ''));
    // GitHub answers 404 for the wrong owner type (an org's package under /users) and for a
    // package type other than container as much as for a missing package.
    if (!p || op.params.package_type !== 'container')
      return { status: 404, body: { message: 'Package not found.', documentation_url: DOCS } };
    const manifests = await p.source.list();
    if (op.method.toLowerCase() === 'get') {
      const all = manifests.map((m) => versionJson(p, m)).sort((a, b) => Number(b.id) - Number(a.id));
      if (type === 'user') return { status: 200, body: all }; // described without page parameters
      const perPage = Math.min(100, Number(query.get('per_page') ?? 30));
      const page = Math.max(1, Number(query.get('page') ?? 1));
      const last = Math.max(1, Math.ceil(all.length / perPage));
      const headers: Record<string, string> = {};
      if (page < last) {
        const link = (n: number, rel: string) =>
          `<${s.base.api}/orgs/${p.owner}/packages/container/${encodeURIComponent(p.name)}/versions?per_page=${perPage}&page=${n}>; rel="${rel}"`;
        headers.link = [link(page + 1, 'next'), link(last, 'last')].join(', ');
      }
      return { status: 200, body: all.slice((page - 1) * perPage, page * perPage), headers };
    }
    // DELETE: needs packages write/delete (admin on the package for GITHUB_TOKEN).
    if (!token.push || (token.repos && !(p.repository && token.repos.has(p.repository.toLowerCase()))))
      throw err(403, 'Resource not accessible by integration');
    const id = Number(op.params.package_version_id);
    const digest = [...p.ids].find(([d, i]) => i === id && manifests.some((m) => m.digest === d))?.[0];
    if (!digest)
      return { status: 404, body: { message: 'Package version not found.', documentation_url: DOCS } };
    await p.source.remove(digest);
    return { status: 204 };
  }

  const scenario = {
    /** A container package (ghcr.io) whose versions the source lists. */
    addContainerPackage(
      owner: string,
      name: string,
      source: SimPackageSource,
      options: SimPackageOptions = {},
    ) {
      const ownerType = options.ownerType ?? 'org';
      packages.set(key(ownerType, owner, name), {
        owner,
        name,
        ownerType,
        repository: options.repository,
        source,
        ids: new Map(),
        created: new Map(),
      });
    },
  };
  return { handle, scenario };
}
