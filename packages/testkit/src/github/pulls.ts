// Pull requests and reviews: list, get (mergeability computed after null reads), reviews, merge
// (sha guard, protection), update (close / reopen), comments; reviewDecision for GraphQL.
import * as o from './objects.js';
import { paginator, requirePush, type Handler, type Resource } from './handler.js';
import { err, validationFailed, type Pull, type Repo, type SimState } from './state.js';
import type { SimComment, SimReviewState } from './types.js';

export function pullsResource(
  s: SimState,
): Resource<
  | 'openPull'
  | 'pull'
  | 'closePull'
  | 'comments'
  | 'setPullDraft'
  | 'setMergeState'
  | 'review'
  | 'requireApprovals'
> & { reviewDecision(r: Repo, p: Pull): string | null } {
  const { base, commits, defaultNullReads, now, id, repo, moveRef, storeCommit, commitFiles, userObject } = s;
  const paginate = paginator(base);
  /** Opens a pull request as GitHub stores a new one: open, unmerged, mergeability not yet computed. */
  const openNewPull = (r: Repo, f: Pick<Pull, 'title' | 'body' | 'head' | 'base' | 'draft'>): Pull => {
    const at = now();
    const pull: Pull = {
      id: id(),
      number: r.pulls.length + 1 + 100,
      ...f,
      state: 'open',
      merged: false,
      mergedAt: null,
      mergeCommitSha: null,
      mergeMethod: undefined,
      mergeState: 'clean',
      closedHeadSha: null,
      closedAt: null,
      nullReadsLeft: defaultNullReads,
      createdAt: at,
      updatedAt: at,
    };
    r.pulls.push(pull);
    return pull;
  };
  const pullFacts = (r: Repo, p: Pull): o.PullFacts => {
    const headSha = p.closedHeadSha ?? r.refs.get(`refs/heads/${p.head}`) ?? '';
    const baseSha = r.refs.get(`refs/heads/${p.base}`) ?? '';
    const computed = p.state === 'closed' || p.nullReadsLeft <= 0;
    const state = p.draft ? 'draft' : p.mergeState;
    return {
      id: p.id,
      number: p.number,
      title: p.title,
      body: p.body,
      state: p.state,
      draft: p.draft,
      head: {
        ref: p.head,
        sha: headSha,
      },
      base: { ref: p.base, sha: baseSha },
      comments: r.comments.filter((c) => c.issue === p.number).length,
      merged: p.merged,
      mergedAt: p.mergedAt,
      mergeCommitSha: p.mergeCommitSha,
      mergeable: computed ? (p.merged ? null : state !== 'dirty') : null,
      mergeableState: computed ? state : 'unknown',
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      closedAt: p.closedAt,
    };
  };
  const closePull = (r: Repo, p: Pull) => {
    p.closedHeadSha = r.refs.get(`refs/heads/${p.head}`) ?? '';
    p.state = 'closed';
    p.closedAt = p.updatedAt = now();
  };
  const findPull = (r: Repo, n: number) => {
    const p = r.pulls.find((x) => x.number === n);
    if (!p) throw err(404, 'Not Found');
    return p;
  };
  // Only reviews by people with write access count toward required approvals ("At least 1
  // approving review is required by reviewers with write access", docs: "About protected branches").
  const WRITE = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);
  const counted = (r: Repo, p: Pull) =>
    r.reviews.filter((x) => x.pull === p.number && x.state !== 'COMMENTED' && WRITE.has(x.association));
  const approvalsMissing = (r: Repo, p: Pull) => {
    const latest = new Map<string, SimReviewState>();
    for (const rv of counted(r, p)) latest.set(rv.login, rv.state);
    const approvals = [...latest.values()].filter((s) => s === 'APPROVED').length;
    return Math.max(0, r.requiredApprovals - approvals);
  };
  const reviewDecision = (r: Repo, p: Pull): string | null => {
    if (r.requiredApprovals === 0) return null;
    const latest = new Map<string, SimReviewState>();
    for (const rv of counted(r, p)) latest.set(rv.login, rv.state);
    if ([...latest.values()].includes('CHANGES_REQUESTED')) return 'CHANGES_REQUESTED';
    return approvalsMissing(r, p) === 0 ? 'APPROVED' : 'REVIEW_REQUIRED';
  };

  const handlers: Record<string, Handler> = {
    'pulls/list': (c) => {
      const state = c.query.get('state') ?? 'open';
      const head = c.query.get('head');
      const baseRef = c.query.get('base');
      const list = c.repo.pulls
        .filter((p) => state === 'all' || p.state === state)
        .filter((p) => !head || head === `${c.repo.facts.owner}:${p.head}` || head === p.head)
        .filter((p) => !baseRef || p.base === baseRef)
        .sort((a, b) => b.number - a.number);
      return paginate(
        c,
        list.map((p) =>
          o.pullRequest(base, c.repo.facts, pullFacts(c.repo, p), userObject('release-bot'), false),
        ),
      );
    },
    'pulls/create': (c) => {
      requirePush(c);
      // GitHub's refusals (REST "Create a pull request"): an unknown head or base, an open PR for
      // the same head and base, and nothing to merge are 422 Validation Failed.
      const head = String(c.body.head ?? '').replace(new RegExp(`^${c.repo.facts.owner}:`), '');
      const baseRef = String(c.body.base ?? '');
      const title = typeof c.body.title === 'string' ? c.body.title : '';
      if (!title.trim())
        throw validationFailed([{ resource: 'PullRequest', code: 'missing_field', field: 'title' }]);
      const headSha = c.repo.refs.get(`refs/heads/${head}`);
      const baseSha = c.repo.refs.get(`refs/heads/${baseRef}`);
      if (!headSha) throw validationFailed([{ resource: 'PullRequest', code: 'invalid', field: 'head' }]);
      if (!baseSha) throw validationFailed([{ resource: 'PullRequest', code: 'invalid', field: 'base' }]);
      if (c.repo.pulls.some((p) => p.state === 'open' && p.head === head && p.base === baseRef))
        throw validationFailed([
          {
            resource: 'PullRequest',
            code: 'custom',
            message: `A pull request already exists for ${c.repo.facts.owner}:${head}.`,
          },
        ]);
      if (s.isAncestor(headSha, baseSha))
        throw validationFailed([
          { resource: 'PullRequest', code: 'custom', message: `No commits between ${baseRef} and ${head}` },
        ]);
      const pull = openNewPull(c.repo, {
        title,
        body: typeof c.body.body === 'string' ? c.body.body : null,
        head,
        base: baseRef,
        draft: c.body.draft === true,
      });
      const json = o.pullRequest(
        base,
        c.repo.facts,
        pullFacts(c.repo, pull),
        userObject(c.token.login),
        true,
      );
      return { status: 201, body: json, headers: { location: String(json.url) } };
    },
    'pulls/get': (c) => {
      const p = findPull(c.repo, Number(c.op.params.pull_number));
      const facts = pullFacts(c.repo, p);
      if (p.nullReadsLeft > 0) p.nullReadsLeft--;
      return { status: 200, body: o.pullRequest(base, c.repo.facts, facts, userObject('release-bot'), true) };
    },
    'pulls/list-reviews': (c) => {
      const n = Number(c.op.params.pull_number);
      findPull(c.repo, n);
      const list = c.repo.reviews.filter((r) => r.pull === n);
      return paginate(
        c,
        list.map((r) =>
          o.review(
            base,
            c.repo.facts,
            {
              id: r.id,
              pull: n,
              state: r.state,
              commitId: r.commitId,
              submittedAt: r.at,
              association: s.behaviours.realAuthorAssociation ? r.association : 'MEMBER',
            },
            userObject(r.login),
          ),
        ),
      );
    },
    'pulls/merge': (c) => {
      requirePush(c);
      const p = findPull(c.repo, Number(c.op.params.pull_number));
      const facts = pullFacts(c.repo, p);
      if (p.state !== 'open') throw err(405, 'Pull Request is not mergeable');
      if (typeof c.body.sha === 'string' && c.body.sha !== facts.head.sha)
        throw err(409, 'Head branch was modified. Review and try the merge again.');
      if (p.draft) throw err(405, 'Pull Request is still a draft');
      if (p.mergeState === 'dirty') throw err(405, 'Pull Request is not mergeable');
      if (p.mergeState === 'behind')
        throw err(405, 'Head branch is out of date. Review and try the merge again.');
      if (p.mergeState === 'blocked' || approvalsMissing(c.repo, p) > 0)
        throw err(405, 'At least 1 approving review is required by reviewers with write access.');
      const method = typeof c.body.merge_method === 'string' ? c.body.merge_method : 'merge';
      // A method the repository does not allow is a 405 (pulls/merge docs; e.g. "Merge commits
      // are not allowed on this repository.").
      const refused = {
        merge: 'Merge commits are not allowed on this repository.',
        squash: 'Squash merges are not allowed on this repository.',
        rebase: 'Rebase merges are not allowed on this repository.',
      } as const;
      const m = method as keyof typeof refused;
      if (m in refused && !c.repo.mergeMethods[m]) throw err(405, refused[m]);
      const headSha = facts.head.sha;
      const baseSha = facts.base.sha;
      const message =
        typeof c.body.commit_title === 'string'
          ? c.body.commit_title
          : `Merge pull request #${p.number} from ${c.repo.facts.owner}/${p.head}`;
      const tree = commits.get(headSha)!.tree;
      const sha = storeCommit(tree, method === 'merge' ? [baseSha, headSha] : [baseSha], message);
      moveRef(c.repo, `refs/heads/${p.base}`, sha);
      closePull(c.repo, p);
      p.closedHeadSha = headSha;
      p.merged = true;
      p.mergedAt = p.closedAt;
      p.mergeCommitSha = sha;
      p.mergeMethod = method;
      return { status: 200, body: { sha, merged: true, message: 'Pull Request successfully merged' } };
    },
    'pulls/update': (c) => {
      requirePush(c);
      const p = findPull(c.repo, Number(c.op.params.pull_number));
      if (c.body.state === 'open' && p.state === 'closed') {
        if (p.merged)
          throw validationFailed([
            {
              resource: 'PullRequest',
              code: 'custom',
              field: 'state',
              message: 'state cannot be changed. The pull request has already been merged.',
            },
          ]);
        if (!c.repo.refs.has(`refs/heads/${p.head}`))
          throw validationFailed([
            {
              resource: 'PullRequest',
              code: 'custom',
              field: 'state',
              message: 'state cannot be changed. The head branch was deleted.',
            },
          ]);
        p.state = 'open';
        p.closedHeadSha = null;
        p.closedAt = null;
        p.nullReadsLeft = Math.max(p.nullReadsLeft, defaultNullReads);
      }
      // Closing a closed (or merged) pull request changes nothing, as on GitHub.
      if (c.body.state === 'closed' && p.state === 'open') closePull(c.repo, p);
      if (typeof c.body.title === 'string') p.title = c.body.title;
      p.updatedAt = now();
      return {
        status: 200,
        body: o.pullRequest(base, c.repo.facts, pullFacts(c.repo, p), userObject('release-bot'), true),
      };
    },
    'issues/create-comment': (c) => {
      requirePush(c);
      const n = Number(c.op.params.issue_number);
      // The simulator has no plain issues: pull requests are the issues that exist.
      findPull(c.repo, n);
      const text = String(c.body.body);
      if (!text.trim())
        throw validationFailed([{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]);
      const comment: SimComment = { id: id(), issue: n, login: c.token.login, body: text };
      c.repo.comments.push(comment);
      const json = o.issueComment(
        base,
        c.repo.facts,
        { id: comment.id, issue: n, body: text, createdAt: now() },
        userObject(c.token.login),
      );
      return { status: 201, body: json, headers: { location: String(json.url) } };
    },
  };
  const scenario: Resource<
    | 'openPull'
    | 'pull'
    | 'closePull'
    | 'comments'
    | 'setPullDraft'
    | 'setMergeState'
    | 'review'
    | 'requireApprovals'
  >['scenario'] = {
    openPull(fullName, p) {
      const r = repo(fullName);
      if (!r.refs.has(`refs/heads/${p.head}`)) commitFiles(r, p.head, {}, `start ${p.head}`);
      const pull = openNewPull(r, {
        title: p.title ?? `Release ${p.head}`,
        body: null,
        head: p.head,
        base: p.base,
        draft: p.draft ?? false,
      });
      return pull.number;
    },
    pull(fullName, n) {
      const r = repo(fullName);
      const p = r.pulls.find((x) => x.number === n);
      if (!p) throw new Error(`simulator: no pull request #${n}`);
      return {
        number: p.number,
        head: p.head,
        base: p.base,
        headSha: p.closedHeadSha ?? r.refs.get(`refs/heads/${p.head}`) ?? '',
        draft: p.draft,
        state: p.state,
        merged: p.merged,
        mergeMethod: p.mergeMethod,
        mergeCommitSha: p.mergeCommitSha,
        closedAt: p.closedAt,
      };
    },
    closePull(fullName, n) {
      const r = repo(fullName);
      const p = r.pulls.find((x) => x.number === n);
      if (!p) throw new Error(`simulator: no pull request #${n}`);
      if (p.state === 'open') closePull(r, p);
    },
    comments: (fullName, n) => repo(fullName).comments.filter((x) => x.issue === n),
    setPullDraft(fullName, n, draft) {
      const p = repo(fullName).pulls.find((x) => x.number === n)!;
      p.draft = draft;
      p.nullReadsLeft = Math.max(p.nullReadsLeft, defaultNullReads);
    },
    setMergeState(fullName, n, state, nullReads = defaultNullReads) {
      const p = repo(fullName).pulls.find((x) => x.number === n)!;
      p.mergeState = state;
      p.nullReadsLeft = nullReads;
    },
    review(fullName, n, login, state, association = 'MEMBER') {
      const r = repo(fullName);
      const p = r.pulls.find((x) => x.number === n)!;
      r.reviews.push({
        id: id(),
        pull: n,
        login,
        state,
        commitId: r.refs.get(`refs/heads/${p.head}`) ?? '',
        at: now(),
        association,
      });
    },
    requireApprovals(fullName, count) {
      repo(fullName).requiredApprovals = count;
    },
  };
  return { handlers, scenario, reviewDecision };
}
