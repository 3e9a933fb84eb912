// Repositories: GET /repos/{owner}/{repo} (push permission by token) and createRepo.
import * as o from './objects.js';
import type { Handler, Resource } from './handler.js';
import type { Repo, SimState } from './state.js';

type Keys =
  'createRepo' | 'setMergeMethods' | 'requireSignedCommits' | 'restrictRefCreation' | 'immutableReleases';

export function reposResource(s: SimState): Resource<Keys> {
  const { base, repos, userId, id, commitFiles, repo } = s;

  const handlers: Record<string, Handler> = {
    'repos/get': (c) => {
      // An App installation token (GITHUB_TOKEN included) is told push: false even with write
      // access: semantic-release/github#182, and its verify code still works around it.
      const push = c.token.push && !(c.token.kind === 'app' && s.behaviours.appTokensReportNoPush);
      const perms = push
        ? { admin: false, maintain: false, push: true, triage: true, pull: true }
        : { admin: false, maintain: false, push: false, triage: false, pull: true };
      return {
        status: 200,
        body: o.repository(base, { ...c.repo.facts, permissions: perms, mergeMethods: c.repo.mergeMethods }),
      };
    },
  };
  const scenario: Resource<Keys>['scenario'] = {
    setMergeMethods(fullName, methods) {
      const r = repo(fullName);
      r.mergeMethods = { ...r.mergeMethods, ...methods };
    },
    requireSignedCommits(fullName, branch) {
      repo(fullName).signedCommitBranches.add(branch);
    },
    restrictRefCreation(fullName, pattern) {
      repo(fullName).restrictedRefCreation.push(pattern);
    },
    immutableReleases(fullName, on) {
      repo(fullName).immutableReleases = on;
    },
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
        mergeMethods: { merge: true, squash: true, rebase: true },
        signedCommitBranches: new Set(),
        restrictedRefCreation: [],
        immutableReleases: true,
        releaseListLag: 0,
        laggedReleases: new Map(),
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
