// GitHub's REST shapes → relkit's plain data (types.ts).
import type { PullRequestInfo, ReleaseInfo } from '../types.js';

export function toPullInfo(p: {
  number: number;
  html_url: string;
  title: string;
  state: string;
  draft?: boolean;
  merged_at: string | null;
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  merge_commit_sha?: string | null;
}): PullRequestInfo {
  return {
    number: p.number,
    url: p.html_url,
    title: p.title,
    state: p.merged_at ? 'merged' : p.state === 'open' ? 'open' : 'closed',
    draft: p.draft ?? false,
    head: { ref: p.head.ref, sha: p.head.sha },
    base: { ref: p.base.ref, sha: p.base.sha },
    mergeCommitSha: p.merge_commit_sha ?? null,
  };
}

export function toRelease(r: {
  id: number;
  tag_name: string;
  name: string | null;
  body?: string | null;
  draft: boolean;
  prerelease: boolean;
  immutable?: boolean;
  target_commitish: string;
  html_url: string;
  created_at: string;
  published_at: string | null;
}): ReleaseInfo {
  return {
    id: r.id,
    tag: r.tag_name,
    name: r.name,
    notes: r.body ?? null,
    draft: r.draft,
    prerelease: r.prerelease,
    immutable: r.immutable,
    targetCommitish: r.target_commitish,
    url: r.html_url,
    createdAt: r.created_at,
    publishedAt: r.published_at,
  };
}
