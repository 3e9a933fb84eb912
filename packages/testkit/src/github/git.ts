// Git refs and commits: get (with #617 read lag), list matching, create (burned tags refused),
// update (fast-forward unless forced), delete; get and create commits.
import * as o from './objects.js';
import { requirePush, type Handler, type Resource } from './handler.js';
import { err, signedCommitsRequired, validationFailed, type SimState } from './state.js';

export function gitResource(
  s: SimState,
): Resource<'commit' | 'branchSha' | 'refSha' | 'commitInfo' | 'setRef' | 'deleteRef' | 'refReadLag'> {
  const { base, commits, trees, repo, isAncestor, moveRef, storeCommit, commitFiles, commitJson } = s;

  const handlers: Record<string, Handler> = {
    'git/get-ref': (c) => {
      const ref = `refs/${c.op.params.ref}`;
      const lag = c.repo.laggedRefs.get(ref);
      let sha = c.repo.refs.get(ref);
      if (lag && lag.left > 0) {
        lag.left--;
        sha = lag.sha;
      }
      if (!sha) throw err(404, 'Not Found');
      return { status: 200, body: o.gitRef(base, c.repo.facts, ref, sha) };
    },
    'git/list-matching-refs': (c) => {
      // Every ref that starts with refs/{ref}, in ref order; an empty array when none does.
      const prefix = `refs/${c.op.params.ref ?? ''}`;
      const list = [...c.repo.refs.entries()]
        .filter(([ref]) => ref.startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return { status: 200, body: list.map(([ref, sha]) => o.gitRef(base, c.repo.facts, ref, sha)) };
    },
    'git/create-ref': (c) => {
      requirePush(c);
      const ref = String(c.body.ref);
      const sha = String(c.body.sha);
      if (!/^refs\/.+\/.+/.test(ref))
        throw err(422, "Reference name must start with 'refs' and have at least two slashes.");
      if (!commits.has(sha)) throw err(422, 'Object does not exist');
      if (c.repo.refs.has(ref)) throw err(422, 'Reference already exists');
      // GH013: a tag an immutable release used is burned, and a ruleset restricting creation
      // answers the same text (docs: "About rulesets"; ZAAI-com/git-same 3.0.1 notes quote it).
      const burned = ref.startsWith('refs/tags/') && c.repo.burnedTags.has(ref.slice('refs/tags/'.length));
      if (burned || c.repo.restrictedRefCreation.some((p) => p.test(ref)))
        throw err(
          422,
          'Repository rule violations found\n\nCannot create ref due to creations being restricted.\n\n',
          {
            status: '422',
          },
        );
      moveRef(c.repo, ref, sha);
      return {
        status: 201,
        body: o.gitRef(base, c.repo.facts, ref, sha),
        headers: { location: `${base.api}/repos/${c.repo.facts.owner}/${c.repo.facts.name}/git/${ref}` },
      };
    },
    'git/update-ref': (c) => {
      requirePush(c);
      const ref = `refs/${c.op.params.ref}`;
      const old = c.repo.refs.get(ref);
      const sha = String(c.body.sha);
      if (!old) throw err(422, 'Reference does not exist');
      if (!commits.has(sha)) throw err(422, 'Object does not exist');
      if (c.body.force !== true && !isAncestor(old, sha)) throw err(422, 'Update is not a fast forward');
      if (ref.startsWith('refs/heads/') && c.repo.signedCommitBranches.has(ref.slice('refs/heads/'.length)))
        throw signedCommitsRequired();
      moveRef(c.repo, ref, sha);
      return { status: 200, body: o.gitRef(base, c.repo.facts, ref, sha) };
    },
    'git/delete-ref': (c) => {
      requirePush(c);
      const ref = `refs/${c.op.params.ref}`;
      if (!c.repo.refs.has(ref)) throw err(422, 'Reference does not exist');
      c.repo.refs.delete(ref);
      return { status: 204 };
    },
    'git/get-commit': (c) => {
      const commit = commits.get(c.op.params.commit_sha ?? '');
      if (!commit) throw err(404, 'Not Found');
      return { status: 200, body: commitJson(c.repo, commit) };
    },
    'git/create-commit': (c) => {
      requirePush(c);
      const tree = String(c.body.tree);
      if (!trees.has(tree))
        throw validationFailed(
          [{ resource: 'Commit', code: 'invalid', field: 'tree' }],
          'Tree SHA does not exist',
        );
      const parents = Array.isArray(c.body.parents) ? c.body.parents.map(String) : [];
      if (parents.some((p) => !commits.has(p)))
        throw validationFailed(
          [{ resource: 'Commit', code: 'invalid', field: 'parents' }],
          'Parent SHA does not exist or is not a commit object',
        );
      const sha = storeCommit(tree, parents, String(c.body.message));
      return {
        status: 201,
        body: commitJson(c.repo, commits.get(sha)!),
        headers: {
          location: `${base.api}/repos/${c.repo.facts.owner}/${c.repo.facts.name}/git/commits/${sha}`,
        },
      };
    },
  };
  const scenario: Resource<
    'commit' | 'branchSha' | 'refSha' | 'commitInfo' | 'setRef' | 'deleteRef' | 'refReadLag'
  >['scenario'] = {
    commit: (fullName, branch, files, message = 'simulated change') =>
      commitFiles(repo(fullName), branch, files, message),
    branchSha: (fullName, branch) => repo(fullName).refs.get(`refs/heads/${branch}`),
    refSha: (fullName, ref) => repo(fullName).refs.get(ref),
    commitInfo(_fullName, sha) {
      const c = commits.get(sha);
      return c ? { message: c.message, parents: c.parents } : undefined;
    },
    setRef: (fullName, ref, sha) => moveRef(repo(fullName), ref, sha),
    deleteRef(fullName, ref) {
      repo(fullName).refs.delete(ref);
    },
    refReadLag(fullName, reads) {
      repo(fullName).refLag = reads;
    },
  };
  return { handlers, scenario };
}
