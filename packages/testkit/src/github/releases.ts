// Releases: list (drafts only to push tokens), by tag (never drafts, #507), by id, create, update
// (immutable once published), delete (a published one burns its tag, #1301).
import * as o from './objects.js';
import { paginator, requirePush, type Handler, type Resource } from './handler.js';
import { err, validationFailed, type Release, type Repo, type SimState } from './state.js';

export function releasesResource(
  s: SimState,
): Resource<'seedRelease' | 'deleteRelease' | 'releases' | 'releaseListLag'> {
  const { base, now, id, repo, resolve, userObject } = s;
  const paginate = paginator(base);
  const releaseJson = (r: Repo, rel: Release) =>
    o.release(
      base,
      r.facts,
      {
        id: rel.id,
        tag: rel.tag,
        target: rel.target,
        name: rel.name,
        body: rel.body,
        draft: rel.draft,
        prerelease: rel.prerelease,
        immutable: !rel.draft && r.immutableReleases,
        createdAt: rel.createdAt,
        publishedAt: rel.publishedAt,
        updatedAt: rel.updatedAt,
      },
      userObject(rel.authorLogin),
    );
  const ensureTag = (r: Repo, rel: Release) => {
    const ref = `refs/tags/${rel.tag}`;
    if (r.refs.has(ref)) return;
    const sha = resolve(r, rel.target);
    if (!sha) throw validationFailed([{ resource: 'Release', code: 'invalid', field: 'target_commitish' }]);
    r.refs.set(ref, sha);
  };
  const deleteRelease = (r: Repo, rel: Release) => {
    r.releases = r.releases.filter((x) => x !== rel);
    if (!rel.draft) {
      // Immutable releases tombstone the tag name: it can never be created again (GH013).
      r.burnedTags.add(rel.tag);
      r.refs.delete(`refs/tags/${rel.tag}`);
    }
  };

  // #10: the list is served from a replica that may not have a new release yet; GET by id is
  // consistent (what release tools poll after creating, e.g. cli/cli#5386-style retries).
  const lagging = (r: Repo, rel: Release) => {
    const left = r.laggedReleases.get(rel.id) ?? 0;
    if (left <= 0) return false;
    r.laggedReleases.set(rel.id, left - 1);
    return true;
  };
  // #6: "Latest release cannot be draft or prerelease" (REST "Update a release", make_latest).
  const refuseLatest = (c: { body: Record<string, unknown> }, draft: boolean, prerelease: boolean) => {
    if (s.behaviours.refuseLatestPrerelease && c.body.make_latest === 'true' && (draft || prerelease))
      throw validationFailed([
        {
          resource: 'Release',
          code: 'custom',
          field: 'make_latest',
          message: 'Latest release cannot be draft or prerelease',
        },
      ]);
  };

  const handlers: Record<string, Handler> = {
    'repos/list-releases': (c) => {
      // "Only users with push access will receive listings for draft releases."
      const visible = c.repo.releases
        .filter((r) => c.token.push || !r.draft)
        .filter((r) => !lagging(c.repo, r))
        .sort((a, b) => b.id - a.id);
      return paginate(
        c,
        visible.map((r) => releaseJson(c.repo, r)),
      );
    },
    'repos/get-release-by-tag': (c) => {
      // Drafts are never returned by tag, whatever the token (#507).
      const rel = c.repo.releases.find((r) => r.tag === c.op.params.tag && !r.draft);
      if (!rel) throw err(404, 'Not Found');
      return { status: 200, body: releaseJson(c.repo, rel) };
    },
    'repos/get-release': (c) => {
      const rel = c.repo.releases.find((r) => r.id === Number(c.op.params.release_id));
      if (!rel || (rel.draft && !c.token.push)) throw err(404, 'Not Found');
      return { status: 200, body: releaseJson(c.repo, rel) };
    },
    'repos/create-release': (c) => {
      requirePush(c);
      const tag = String(c.body.tag_name);
      if (c.repo.burnedTags.has(tag))
        throw validationFailed([
          {
            resource: 'Release',
            code: 'custom',
            field: 'tag_name',
            message: 'tag_name was used by an immutable release',
          },
        ]);
      const draft = c.body.draft === true;
      refuseLatest(c, draft, c.body.prerelease === true);
      if (!draft && c.repo.releases.some((r) => r.tag === tag && !r.draft))
        throw validationFailed([{ resource: 'Release', code: 'already_exists', field: 'tag_name' }]);
      const at = now();
      const rel: Release = {
        id: id(),
        tag,
        target:
          typeof c.body.target_commitish === 'string' ? c.body.target_commitish : c.repo.facts.defaultBranch,
        name: typeof c.body.name === 'string' ? c.body.name : null,
        body: typeof c.body.body === 'string' ? c.body.body : null,
        draft,
        prerelease: c.body.prerelease === true,
        makeLatest: typeof c.body.make_latest === 'string' ? c.body.make_latest : undefined,
        createdAt: at,
        publishedAt: draft ? null : at,
        updatedAt: at,
        authorLogin: c.token.login,
      };
      if (!draft) ensureTag(c.repo, rel);
      c.repo.releases.push(rel);
      if (c.repo.releaseListLag > 0) c.repo.laggedReleases.set(rel.id, c.repo.releaseListLag);
      return {
        status: 201,
        body: releaseJson(c.repo, rel),
        headers: {
          location: `${base.api}/repos/${c.repo.facts.owner}/${c.repo.facts.name}/releases/${rel.id}`,
        },
      };
    },
    'repos/update-release': (c) => {
      requirePush(c);
      const rel = c.repo.releases.find((r) => r.id === Number(c.op.params.release_id));
      if (!rel) throw err(404, 'Not Found');
      if (!rel.draft) {
        // Immutable releases: once published, tag, target and draft state are frozen.
        const frozen = (['tag_name', 'target_commitish'] as const).filter(
          (k) => k in c.body && c.body[k] !== (k === 'tag_name' ? rel.tag : rel.target),
        );
        if (frozen.length || c.body.draft === true)
          throw validationFailed(
            [
              {
                resource: 'Release',
                code: 'custom',
                field: frozen[0] ?? 'draft',
                message: 'Cannot modify an immutable release',
              },
            ],
            'Validation Failed',
          );
      }
      refuseLatest(
        c,
        typeof c.body.draft === 'boolean' ? c.body.draft : rel.draft,
        typeof c.body.prerelease === 'boolean' ? c.body.prerelease : rel.prerelease,
      );
      if (typeof c.body.tag_name === 'string') rel.tag = c.body.tag_name;
      if (typeof c.body.name === 'string') rel.name = c.body.name;
      if (typeof c.body.body === 'string') rel.body = c.body.body;
      if (typeof c.body.prerelease === 'boolean') rel.prerelease = c.body.prerelease;
      if (typeof c.body.make_latest === 'string') rel.makeLatest = c.body.make_latest;
      if (c.body.draft === false && rel.draft) {
        if (c.repo.burnedTags.has(rel.tag))
          throw validationFailed([
            {
              resource: 'Release',
              code: 'custom',
              field: 'tag_name',
              message: 'tag_name was used by an immutable release',
            },
          ]);
        ensureTag(c.repo, rel);
        rel.draft = false;
        rel.publishedAt = now();
      }
      rel.updatedAt = now();
      return { status: 200, body: releaseJson(c.repo, rel) };
    },
    'repos/delete-release': (c) => {
      requirePush(c);
      const rel = c.repo.releases.find((r) => r.id === Number(c.op.params.release_id));
      if (!rel) throw err(404, 'Not Found');
      deleteRelease(c.repo, rel);
      return { status: 204 };
    },
  };
  const scenario: Resource<'seedRelease' | 'deleteRelease' | 'releases' | 'releaseListLag'>['scenario'] = {
    seedRelease(fullName, s) {
      const r = repo(fullName);
      const at = now();
      const rel: Release = {
        id: id(),
        tag: s.tag,
        target: s.target ?? r.facts.defaultBranch,
        name: s.name ?? s.tag,
        body: s.body ?? null,
        draft: s.draft ?? false,
        prerelease: s.prerelease ?? false,
        makeLatest: undefined,
        createdAt: at,
        publishedAt: s.draft ? null : at,
        updatedAt: at,
        authorLogin: 'relkit-release-app[bot]',
      };
      if (!rel.draft) ensureTag(r, rel);
      r.releases.push(rel);
      return rel.id;
    },
    deleteRelease(fullName, releaseId) {
      const r = repo(fullName);
      const rel = r.releases.find((x) => x.id === releaseId);
      if (!rel) throw new Error(`simulator: no release ${releaseId}`);
      deleteRelease(r, rel);
    },
    releases: (fullName) => repo(fullName).releases.map((r) => ({ ...r })),
    releaseListLag(fullName, reads) {
      repo(fullName).releaseListLag = reads;
    },
  };
  return { handlers, scenario };
}
