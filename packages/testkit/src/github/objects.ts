// Builders for the JSON objects the GitHub simulator sends. Every field the OpenAPI description
// marks required is present; values are plausible and deterministic (ids from counters).

export type JsonObject = Record<string, unknown>;

export interface UrlBase {
  /** API root as clients use it, e.g. http://127.0.0.1:4321 or http://127.0.0.1:4321/api/v3. */
  readonly api: string;
  /** Web root (html_url), e.g. http://127.0.0.1:4321. */
  readonly web: string;
}

export const EPOCH = '2026-01-01T00:00:00Z';

export function nodeId(kind: string, id: number | string): string {
  return Buffer.from(`${kind}:${id}`).toString('base64');
}

export function user(
  base: UrlBase,
  login: string,
  id: number,
  type: 'User' | 'Bot' | 'Organization' = 'User',
): JsonObject {
  const u = `${base.api}/users/${encodeURIComponent(login)}`;
  const page = encodeURIComponent(login);
  return {
    login,
    id,
    node_id: nodeId('User', id),
    avatar_url: `${base.web}/avatars/${page}`,
    gravatar_id: '',
    url: u,
    html_url: `${base.web}/${page}`,
    followers_url: `${u}/followers`,
    following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`,
    starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`,
    repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`,
    type,
    site_admin: false,
    user_view_type: 'public',
  };
}

export interface RepoFacts {
  readonly id: number;
  readonly owner: string;
  readonly ownerId: number;
  readonly name: string;
  readonly defaultBranch: string;
  readonly permissions?: { admin: boolean; maintain: boolean; push: boolean; triage: boolean; pull: boolean };
  /** The merge methods the repository allows (only the full repository object carries them). */
  readonly mergeMethods?: { merge: boolean; squash: boolean; rebase: boolean };
}

/** A repository object valid as `repository`, `full-repository` and `minimal-repository`. */
export function repository(base: UrlBase, r: RepoFacts): JsonObject {
  const u = `${base.api}/repos/${r.owner}/${r.name}`;
  const html = `${base.web}/${r.owner}/${r.name}`;
  const out: JsonObject = {
    id: r.id,
    node_id: nodeId('Repository', r.id),
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    owner: user(base, r.owner, r.ownerId, 'Organization'),
    private: false,
    html_url: html,
    description: null,
    fork: false,
    url: u,
    archive_url: `${u}/{archive_format}{/ref}`,
    assignees_url: `${u}/assignees{/user}`,
    blobs_url: `${u}/git/blobs{/sha}`,
    branches_url: `${u}/branches{/branch}`,
    collaborators_url: `${u}/collaborators{/collaborator}`,
    comments_url: `${u}/comments{/number}`,
    commits_url: `${u}/commits{/sha}`,
    compare_url: `${u}/compare/{base}...{head}`,
    contents_url: `${u}/contents/{+path}`,
    contributors_url: `${u}/contributors`,
    deployments_url: `${u}/deployments`,
    downloads_url: `${u}/downloads`,
    events_url: `${u}/events`,
    forks_url: `${u}/forks`,
    git_commits_url: `${u}/git/commits{/sha}`,
    git_refs_url: `${u}/git/refs{/sha}`,
    git_tags_url: `${u}/git/tags{/sha}`,
    git_url: `git:${html.replace(/^https?:/, '')}.git`,
    issue_comment_url: `${u}/issues/comments{/number}`,
    issue_events_url: `${u}/issues/events{/number}`,
    issues_url: `${u}/issues{/number}`,
    keys_url: `${u}/keys{/key_id}`,
    labels_url: `${u}/labels{/name}`,
    languages_url: `${u}/languages`,
    merges_url: `${u}/merges`,
    milestones_url: `${u}/milestones{/number}`,
    notifications_url: `${u}/notifications{?since,all,participating}`,
    pulls_url: `${u}/pulls{/number}`,
    releases_url: `${u}/releases{/id}`,
    ssh_url: `git@127.0.0.1:${r.owner}/${r.name}.git`,
    stargazers_url: `${u}/stargazers`,
    statuses_url: `${u}/statuses/{sha}`,
    subscribers_url: `${u}/subscribers`,
    subscription_url: `${u}/subscription`,
    tags_url: `${u}/tags`,
    teams_url: `${u}/teams`,
    trees_url: `${u}/git/trees{/sha}`,
    clone_url: `${html}.git`,
    mirror_url: null,
    hooks_url: `${u}/hooks`,
    svn_url: html,
    homepage: null,
    language: null,
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 1,
    default_branch: r.defaultBranch,
    open_issues_count: 0,
    open_issues: 0,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: 'public',
    pushed_at: EPOCH,
    created_at: EPOCH,
    updated_at: EPOCH,
    license: null,
    allow_forking: true,
    web_commit_signoff_required: false,
    network_count: 0,
    subscribers_count: 0,
  };
  if (r.permissions) out.permissions = r.permissions;
  if (r.mergeMethods) {
    out.allow_merge_commit = r.mergeMethods.merge;
    out.allow_squash_merge = r.mergeMethods.squash;
    out.allow_rebase_merge = r.mergeMethods.rebase;
  }
  return out;
}

export interface ReleaseFacts {
  readonly id: number;
  readonly tag: string;
  readonly target: string;
  readonly name: string | null;
  readonly body: string | null;
  readonly draft: boolean;
  readonly prerelease: boolean;
  readonly immutable: boolean;
  readonly createdAt: string;
  readonly publishedAt: string | null;
  readonly updatedAt: string;
}

export function release(base: UrlBase, repo: RepoFacts, r: ReleaseFacts, author: JsonObject): JsonObject {
  const u = `${base.api}/repos/${repo.owner}/${repo.name}`;
  const html = `${base.web}/${repo.owner}/${repo.name}`;
  return {
    url: `${u}/releases/${r.id}`,
    assets_url: `${u}/releases/${r.id}/assets`,
    upload_url: `${base.web}/uploads/repos/${repo.owner}/${repo.name}/releases/${r.id}/assets{?name,label}`,
    // Drafts live at an untagged URL, exactly like on github.com.
    html_url: r.draft
      ? `${html}/releases/tag/untagged-${r.id}`
      : `${html}/releases/tag/${encodeURIComponent(r.tag)}`,
    id: r.id,
    author,
    node_id: nodeId('Release', r.id),
    tag_name: r.tag,
    target_commitish: r.target,
    name: r.name,
    draft: r.draft,
    immutable: r.immutable,
    prerelease: r.prerelease,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    published_at: r.publishedAt,
    assets: [],
    tarball_url: r.draft ? null : `${u}/tarball/${r.tag}`,
    zipball_url: r.draft ? null : `${u}/zipball/${r.tag}`,
    body: r.body,
  };
}

export function gitRef(base: UrlBase, repo: RepoFacts, ref: string, sha: string): JsonObject {
  const u = `${base.api}/repos/${repo.owner}/${repo.name}`;
  return {
    ref,
    node_id: nodeId('Ref', `${repo.id}:${ref}`),
    url: `${u}/git/${ref}`,
    object: { type: 'commit', sha, url: `${u}/git/commits/${sha}` },
  };
}

export interface CommitFacts {
  readonly sha: string;
  readonly tree: string;
  readonly parents: readonly string[];
  readonly message: string;
  readonly date: string;
  readonly author: { name: string; email: string };
}

export function gitCommit(base: UrlBase, repo: RepoFacts, c: CommitFacts): JsonObject {
  const u = `${base.api}/repos/${repo.owner}/${repo.name}`;
  const person = { name: c.author.name, email: c.author.email, date: c.date };
  return {
    sha: c.sha,
    node_id: nodeId('Commit', c.sha),
    url: `${u}/git/commits/${c.sha}`,
    html_url: `${base.web}/${repo.owner}/${repo.name}/commit/${c.sha}`,
    author: person,
    committer: person,
    message: c.message,
    tree: { sha: c.tree, url: `${u}/git/trees/${c.tree}` },
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${u}/git/commits/${p}`,
      html_url: `${base.web}/${repo.owner}/${repo.name}/commit/${p}`,
    })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  };
}

export function contentFile(
  base: UrlBase,
  repo: RepoFacts,
  path: string,
  blobSha: string,
  content: Buffer | undefined,
  ref: string,
): JsonObject {
  const u = `${base.api}/repos/${repo.owner}/${repo.name}`;
  const self = `${u}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const git = `${u}/git/blobs/${blobSha}`;
  const html = `${base.web}/${repo.owner}/${repo.name}/blob/${ref}/${path}`;
  const out: JsonObject = {
    type: 'file',
    name: path.split('/').pop(),
    path,
    sha: blobSha,
    size: content?.length ?? 0,
    url: self,
    git_url: git,
    html_url: html,
    download_url: `${base.web}/raw/${repo.owner}/${repo.name}/${ref}/${path}`,
    _links: { self, git, html },
  };
  if (content !== undefined) {
    out.encoding = 'base64';
    // GitHub wraps base64 content at 60 characters per line.
    out.content = (content.toString('base64').match(/.{1,60}/g) ?? ['']).join('\n') + '\n';
  }
  return out;
}

export function statusObject(
  base: UrlBase,
  repo: RepoFacts,
  s: {
    id: number;
    sha: string;
    context: string;
    state: string;
    createdAt: string;
    description: string | null;
  },
  creator: JsonObject,
): JsonObject {
  return {
    url: `${base.api}/repos/${repo.owner}/${repo.name}/statuses/${s.sha}`,
    avatar_url: null,
    id: s.id,
    node_id: nodeId('StatusContext', s.id),
    state: s.state,
    description: s.description,
    target_url: null,
    context: s.context,
    created_at: s.createdAt,
    updated_at: s.createdAt,
    creator,
  };
}

export function app(
  base: UrlBase,
  owner: JsonObject,
  which: { id: number; slug: string; name: string } = {
    id: 15368,
    slug: 'github-actions',
    name: 'GitHub Actions',
  },
): JsonObject {
  return {
    id: which.id,
    slug: which.slug,
    node_id: nodeId('App', which.id),
    client_id: 'Iv1.simulated',
    owner,
    name: which.name,
    description: 'Automate your workflow from idea to production',
    external_url: `${base.web}/features/actions`,
    html_url: `${base.web}/apps/${which.slug}`,
    created_at: EPOCH,
    updated_at: EPOCH,
    permissions: { checks: 'write', contents: 'write', metadata: 'read' },
    events: ['check_run', 'push'],
  };
}

export function checkRun(
  base: UrlBase,
  repo: RepoFacts,
  c: {
    id: number;
    sha: string;
    name: string;
    status: string;
    conclusion: string | null;
    startedAt: string;
    completedAt: string | null;
    /** The Actions workflow run (and check suite) the run belongs to; default: its own. */
    workflowRunId?: number;
  },
  appObject: JsonObject,
): JsonObject {
  const u = `${base.api}/repos/${repo.owner}/${repo.name}`;
  return {
    id: c.id,
    head_sha: c.sha,
    node_id: nodeId('CheckRun', c.id),
    external_id: String(c.id),
    url: `${u}/check-runs/${c.id}`,
    html_url: `${base.web}/${repo.owner}/${repo.name}/runs/${c.id}`,
    details_url: `${base.web}/${repo.owner}/${repo.name}/actions/runs/${c.workflowRunId ?? c.id}/job/${c.id}`,
    status: c.status,
    conclusion: c.conclusion,
    started_at: c.startedAt,
    completed_at: c.completedAt,
    output: {
      title: null,
      summary: null,
      text: null,
      annotations_count: 0,
      annotations_url: `${u}/check-runs/${c.id}/annotations`,
    },
    name: c.name,
    check_suite: { id: (c.workflowRunId ?? c.id) + 100_000 },
    app: appObject,
    pull_requests: [],
  };
}

export interface PullFacts {
  readonly id: number;
  readonly number: number;
  readonly title: string;
  readonly body: string | null;
  readonly state: 'open' | 'closed';
  readonly draft: boolean;
  readonly head: { ref: string; sha: string };
  readonly base: { ref: string; sha: string };
  readonly merged: boolean;
  readonly mergedAt: string | null;
  readonly mergeCommitSha: string | null;
  readonly mergeable: boolean | null;
  readonly mergeableState: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When it was closed or merged; defaults to updatedAt for a closed pull request. */
  readonly closedAt?: string | null;
  /** Issue comments on it (GitHub's `comments` count of the single pull request). */
  readonly comments?: number;
}

/** `pull-request-simple` (list) or, with `full`, `pull-request` (single). */
export function pullRequest(
  base: UrlBase,
  repo: RepoFacts,
  p: PullFacts,
  author: JsonObject,
  full: boolean,
): JsonObject {
  const u = `${base.api}/repos/${repo.owner}/${repo.name}`;
  const html = `${base.web}/${repo.owner}/${repo.name}/pull/${p.number}`;
  const repoObject = repository(base, repo);
  const side = (s: { ref: string; sha: string }) => ({
    label: `${repo.owner}:${s.ref}`,
    ref: s.ref,
    sha: s.sha,
    user: repoObject.owner,
    repo: repoObject,
  });
  const link = (href: string) => ({ href });
  const out: JsonObject = {
    url: `${u}/pulls/${p.number}`,
    id: p.id,
    node_id: nodeId('PullRequest', p.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${u}/issues/${p.number}`,
    commits_url: `${u}/pulls/${p.number}/commits`,
    review_comments_url: `${u}/pulls/${p.number}/comments`,
    review_comment_url: `${u}/pulls/comments{/number}`,
    comments_url: `${u}/issues/${p.number}/comments`,
    statuses_url: `${u}/statuses/${p.head.sha}`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user: author,
    body: p.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    closed_at: p.state === 'closed' ? (p.closedAt ?? p.updatedAt) : null,
    merged_at: p.mergedAt,
    merge_commit_sha: p.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(p.head),
    base: side(p.base),
    _links: {
      self: link(`${u}/pulls/${p.number}`),
      html: link(html),
      issue: link(`${u}/issues/${p.number}`),
      comments: link(`${u}/issues/${p.number}/comments`),
      review_comments: link(`${u}/pulls/${p.number}/comments`),
      review_comment: link(`${u}/pulls/comments{/number}`),
      commits: link(`${u}/pulls/${p.number}/commits`),
      statuses: link(`${u}/statuses/${p.head.sha}`),
    },
    author_association: 'MEMBER',
    auto_merge: null,
    draft: p.draft,
  };
  if (full) {
    Object.assign(out, {
      merged: p.merged,
      mergeable: p.mergeable,
      rebaseable: p.mergeable,
      mergeable_state: p.mergeableState,
      merged_by: p.merged ? author : null,
      comments: p.comments ?? 0,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: 1,
      additions: 1,
      deletions: 0,
      changed_files: 1,
    });
  }
  return out;
}

export function review(
  base: UrlBase,
  repo: RepoFacts,
  r: {
    id: number;
    pull: number;
    state: string;
    commitId: string;
    submittedAt: string;
    association?: string;
  },
  reviewer: JsonObject,
): JsonObject {
  const html = `${base.web}/${repo.owner}/${repo.name}/pull/${r.pull}#pullrequestreview-${r.id}`;
  return {
    id: r.id,
    node_id: nodeId('PullRequestReview', r.id),
    user: reviewer,
    body: '',
    state: r.state,
    html_url: html,
    pull_request_url: `${base.api}/repos/${repo.owner}/${repo.name}/pulls/${r.pull}`,
    _links: {
      html: { href: html },
      pull_request: { href: `${base.api}/repos/${repo.owner}/${repo.name}/pulls/${r.pull}` },
    },
    submitted_at: r.submittedAt,
    commit_id: r.commitId,
    author_association: r.association ?? 'MEMBER',
  };
}

export interface RunFacts {
  readonly id: number;
  readonly runNumber: number;
  readonly name: string;
  readonly displayTitle: string;
  readonly event: string;
  readonly status: string;
  readonly conclusion: string | null;
  readonly headBranch: string;
  readonly headSha: string;
  readonly path: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function workflowRun(base: UrlBase, repo: RepoFacts, r: RunFacts, actor: JsonObject): JsonObject {
  const u = `${base.api}/repos/${repo.owner}/${repo.name}`;
  const repoObject = repository(base, repo);
  const workflowId = 1000 + (r.path.length % 97);
  return {
    id: r.id,
    name: r.name,
    node_id: nodeId('WorkflowRun', r.id),
    check_suite_id: r.id + 200_000,
    check_suite_node_id: nodeId('CheckSuite', r.id + 200_000),
    head_branch: r.headBranch,
    head_sha: r.headSha,
    path: r.path,
    display_title: r.displayTitle,
    run_number: r.runNumber,
    event: r.event,
    status: r.status,
    conclusion: r.conclusion,
    workflow_id: workflowId,
    url: `${u}/actions/runs/${r.id}`,
    html_url: `${base.web}/${repo.owner}/${repo.name}/actions/runs/${r.id}`,
    pull_requests: [],
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    actor,
    triggering_actor: actor,
    run_attempt: 1,
    run_started_at: r.createdAt,
    jobs_url: `${u}/actions/runs/${r.id}/jobs`,
    logs_url: `${u}/actions/runs/${r.id}/logs`,
    check_suite_url: `${u}/check-suites/${r.id + 200_000}`,
    artifacts_url: `${u}/actions/runs/${r.id}/artifacts`,
    cancel_url: `${u}/actions/runs/${r.id}/cancel`,
    rerun_url: `${u}/actions/runs/${r.id}/rerun`,
    workflow_url: `${u}/actions/workflows/${workflowId}`,
    head_commit: {
      id: r.headSha,
      tree_id: r.headSha,
      message: 'simulated',
      timestamp: r.createdAt,
      author: { name: 'sim', email: 'sim@example.com' },
      committer: { name: 'sim', email: 'sim@example.com' },
    },
    repository: repoObject,
    head_repository: repoObject,
  };
}

/** `issue-comment`: a comment on an issue or pull request (the conversation tab). */
export function issueComment(
  base: UrlBase,
  repo: RepoFacts,
  c: { id: number; issue: number; body: string; createdAt: string },
  author: JsonObject,
): JsonObject {
  const u = `${base.api}/repos/${repo.owner}/${repo.name}`;
  return {
    id: c.id,
    node_id: nodeId('IssueComment', c.id),
    url: `${u}/issues/comments/${c.id}`,
    html_url: `${base.web}/${repo.owner}/${repo.name}/pull/${c.issue}#issuecomment-${c.id}`,
    body: c.body,
    user: author,
    created_at: c.createdAt,
    updated_at: c.createdAt,
    issue_url: `${u}/issues/${c.issue}`,
    author_association: 'MEMBER',
    performed_via_github_app: null,
  };
}
