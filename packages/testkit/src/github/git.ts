// Git refs and commits: get (with #617 read lag), list matching, create (burned tags refused),
// update (fast-forward unless forced), delete; get and create commits; create blobs and trees
// (the git data API a multi-file commit uses); compare two commits (BASE...HEAD).
import * as o from './objects.js';
import { requirePush, type Handler, type Resource } from './handler.js';
import { blobSha, err, signedCommitsRequired, validationFailed, type SimState } from './state.js';

export function gitResource(
  s: SimState,
): Resource<'commit' | 'branchSha' | 'refSha' | 'commitInfo' | 'setRef' | 'deleteRef' | 'refReadLag'> {
  const {
    base,
    commits,
    trees,
    blobs,
    repo,
    isAncestor,
    resolve,
    moveRef,
    storeTree,
    storeCommit,
    commitFiles,
    commitJson,
  } = s;
  /** Every commit reachable from `sha` (not itself), nearest first. */
  const ancestors = (sha: string) => {
    const out: string[] = [];
    const seen = new Set<string>([sha]);
    const queue = [...(commits.get(sha)?.parents ?? [])];
    while (queue.length) {
      const cur = queue.shift()!;
      if (seen.has(cur)) continue;
      seen.add(cur);
      out.push(cur);
      queue.push(...(commits.get(cur)?.parents ?? []));
    }
    return out;
  };
  const repoUrl = (c: { repo: { facts: { owner: string; name: string } } }) =>
    `${base.api}/repos/${c.repo.facts.owner}/${c.repo.facts.name}`;
  /** Commits reachable from `sha` but not from `old`: what a ref update would add to a branch. */
  const added = (old: string, sha: string) => {
    const out: string[] = [];
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length) {
      const cur = stack.pop()!;
      if (seen.has(cur) || isAncestor(cur, old)) continue;
      seen.add(cur);
      out.push(cur);
      stack.push(...(commits.get(cur)?.parents ?? []));
    }
    return out;
  };

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
    'repos/compare-commits-with-basehead': (c) => {
      // BASE...HEAD: what HEAD has that BASE lacks (ahead) and the other way round (behind).
      const [b, h, extra] = String(c.op.params.basehead ?? '').split('...');
      if (b === undefined || h === undefined || extra !== undefined) throw err(404, 'Not Found');
      const baseSha = resolve(c.repo, b);
      const headSha = resolve(c.repo, h);
      if (!baseSha || !headSha) throw err(404, 'Not Found');
      const ahead = added(baseSha, headSha);
      const behind = added(headSha, baseSha);
      // The merge base: the newest commit both reach (the simulator's histories are small).
      const mergeBase = [headSha, ...ancestors(headSha)].find((x) => isAncestor(x, baseSha)) ?? baseSha;
      const status =
        ahead.length === 0 && behind.length === 0
          ? 'identical'
          : behind.length === 0
            ? 'ahead'
            : ahead.length === 0
              ? 'behind'
              : 'diverged';
      const u = repoUrl(c);
      const web = `${base.web}/${c.repo.facts.owner}/${c.repo.facts.name}`;
      const commitObject = (sha: string) => {
        const commit = commits.get(sha)!;
        const git = commitJson(c.repo, commit);
        return {
          url: `${u}/commits/${sha}`,
          sha,
          node_id: git.node_id,
          html_url: `${web}/commit/${sha}`,
          comments_url: `${u}/commits/${sha}/comments`,
          commit: {
            url: git.url,
            author: git.author,
            committer: git.committer,
            message: commit.message,
            comment_count: 0,
            tree: git.tree,
          },
          author: null,
          committer: null,
          parents: commit.parents.map((p) => ({
            sha: p,
            url: `${u}/commits/${p}`,
            html_url: `${web}/commit/${p}`,
          })),
        };
      };
      const spec = `${b}...${h}`;
      return {
        status: 200,
        body: {
          url: `${u}/compare/${spec}`,
          html_url: `${web}/compare/${spec}`,
          permalink_url: `${web}/compare/${c.repo.facts.owner}:${baseSha.slice(0, 7)}...${c.repo.facts.owner}:${headSha.slice(0, 7)}`,
          diff_url: `${web}/compare/${spec}.diff`,
          patch_url: `${web}/compare/${spec}.patch`,
          base_commit: commitObject(baseSha),
          merge_base_commit: commitObject(mergeBase),
          status,
          ahead_by: ahead.length,
          behind_by: behind.length,
          total_commits: ahead.length,
          // GitHub lists at most 250 commits, oldest first.
          commits: ahead.reverse().slice(0, 250).map(commitObject),
        },
      };
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
      // The ruleset checks the commits the update adds: API commits an App made are signed by GitHub.
      if (
        ref.startsWith('refs/heads/') &&
        c.repo.signedCommitBranches.has(ref.slice('refs/heads/'.length)) &&
        added(old, sha).some((x) => commits.get(x)?.verified !== true)
      )
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
      // GitHub signs an API commit only when an App (bot) makes it without a custom author
      // (docs: "About commit signature verification", signature verification for bots).
      const signed = c.token.kind === 'app' && c.body.author === undefined && c.body.committer === undefined;
      const sha = storeCommit(tree, parents, String(c.body.message), signed);
      return {
        status: 201,
        body: commitJson(c.repo, commits.get(sha)!),
        headers: {
          location: `${base.api}/repos/${c.repo.facts.owner}/${c.repo.facts.name}/git/commits/${sha}`,
        },
      };
    },
    'git/create-blob': (c) => {
      requirePush(c);
      const encoding = c.body.encoding === 'base64' ? 'base64' : 'utf8';
      if (c.body.encoding !== undefined && !['utf-8', 'base64'].includes(String(c.body.encoding)))
        throw validationFailed([{ resource: 'Blob', code: 'invalid', field: 'encoding' }]);
      const content = Buffer.from(String(c.body.content), encoding);
      const sha = blobSha(content);
      blobs.set(sha, content);
      return {
        status: 201,
        body: { sha, url: `${repoUrl(c)}/git/blobs/${sha}` },
        headers: { location: `${repoUrl(c)}/git/blobs/${sha}` },
      };
    },
    'git/create-tree': (c) => {
      requirePush(c);
      // The simulator's trees are flat (full paths), which is what base_tree + paths amounts to.
      const baseTree = c.body.base_tree === undefined ? undefined : String(c.body.base_tree);
      if (baseTree !== undefined && !trees.has(baseTree))
        throw validationFailed(
          [{ resource: 'Tree', code: 'invalid', field: 'base_tree' }],
          'base_tree is not a tree',
        );
      const files = new Map(baseTree ? trees.get(baseTree) : []);
      const entries = Array.isArray(c.body.tree) ? (c.body.tree as Record<string, unknown>[]) : [];
      for (const e of entries) {
        const path = String(e.path);
        if (e.type !== 'blob' || (e.mode !== '100644' && e.mode !== '100755'))
          throw validationFailed(
            [{ resource: 'Tree', code: 'invalid', field: 'tree' }],
            'only file blobs are simulated',
          );
        if (e.sha === null) files.delete(path);
        else if (typeof e.content === 'string') files.set(path, Buffer.from(e.content, 'utf8'));
        else {
          const blob =
            blobs.get(String(e.sha)) ??
            [...trees.values()].flatMap((t) => [...t.values()]).find((b) => blobSha(b) === e.sha);
          if (!blob)
            throw validationFailed(
              [{ resource: 'Tree', code: 'invalid', field: 'tree.sha' }],
              'tree.sha is not a blob',
            );
          files.set(path, blob);
        }
      }
      const sha = storeTree(files);
      const tree = [...trees.get(sha)!.entries()].map(([path, b]) => ({
        path,
        mode: '100644',
        type: 'blob',
        sha: blobSha(b),
        size: b.length,
        url: `${repoUrl(c)}/git/blobs/${blobSha(b)}`,
      }));
      return {
        status: 201,
        body: { sha, url: `${repoUrl(c)}/git/trees/${sha}`, tree, truncated: false },
        headers: { location: `${repoUrl(c)}/git/trees/${sha}` },
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
