// Repositories: GET /repos/{owner}/{repo} (push permission by token) and createRepo.
import * as o from './objects.js';
import type { Handler, Resource } from './handler.js';
import type { Repo, SimState } from './state.js';

export function reposResource(s: SimState): Resource<'createRepo'> {
  const { base, repos, userId, id, commitFiles } = s;

  const handlers: Record<string, Handler> = {
    'repos/get': (c) => {
      const perms = c.token.push
        ? { admin: false, maintain: false, push: true, triage: true, pull: true }
        : { admin: false, maintain: false, push: false, triage: false, pull: true };
      return { status: 200, body: o.repository(base, { ...c.repo.facts, permissions: perms }) };
    },
  };
  const scenario: Resource<'createRepo'>['scenario'] = {
    createRepo(fullName, opts = {}) {
      const [owner, name] = fullName.split('/');
      if (!owner || !name) throw new Error(`simulator: "${fullName}" is not OWNER/REPO`);
      const ownerId = userId(owner);
      const r: Repo = {
        facts: {
          id: id(),
          owner,
          ownerId,
          name,
          defaultBranch: opts.defaultBranch ?? 'main',
        },
        refs: new Map(),
        laggedRefs: new Map(),
        releases: [],
        burnedTags: new Set(),
        pulls: [],
        comments: [],
        reviews: [],
        requiredApprovals: 0,
        checkRuns: [],
        statuses: [],
        dispatches: [],
        dispatchHandler: undefined,
        runs: [],
        silentNoOp: false,
        refLag: 0,
      };
      repos.set(fullName.toLowerCase(), r);
      return commitFiles(
        r,
        r.facts.defaultBranch,
        opts.files ?? { 'README.md': `# ${name}\n` },
        'Initial commit',
      );
    },
  };
  return { handlers, scenario };
}
