// GitHub's REST shapes → relkit's plain data (types.ts). The shapes are checked at run time:
// a proxy, a GitHub Enterprise version or a bug may answer with something else, and that must
// surface as GitHubError('UNEXPECTED_RESPONSE'), never as a TypeError deep in core.
import { GitHubError } from '../errors.js';
import type { PullRequestInfo, ReleaseInfo } from '../types.js';

type Json = Record<string, unknown>;

function unexpected(what: string, field: string): GitHubError {
  return new GitHubError(
    'UNEXPECTED_RESPONSE',
    `GitHub answered with a ${what} whose "${field}" is malformed`,
  );
}

function object(v: unknown, what: string, field: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw unexpected(what, field);
  return v as Json;
}

function text(o: Json, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw unexpected(what, key);
  return v;
}

function textOrNull(o: Json, key: string, what: string, optional = false): string | null {
  const v = o[key];
  if (v === null || (optional && v === undefined)) return null;
  if (typeof v !== 'string') throw unexpected(what, key);
  return v;
}

function integer(o: Json, key: string, what: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw unexpected(what, key);
  return v;
}

function flag(o: Json, key: string, what: string, fallback?: boolean): boolean {
  const v = o[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'boolean') throw unexpected(what, key);
  return v;
}

function branch(o: Json, key: 'head' | 'base'): { ref: string; sha: string } {
  const b = object(o[key], 'pull request', key);
  return { ref: text(b, 'ref', `pull request ${key}`), sha: text(b, 'sha', `pull request ${key}`) };
}

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
  const what = 'pull request';
  const o = object(p, what, '(body)');
  const mergedAt = textOrNull(o, 'merged_at', what, true);
  const state = text(o, 'state', what);
  return {
    number: integer(o, 'number', what),
    url: text(o, 'html_url', what),
    title: text(o, 'title', what),
    state: mergedAt ? 'merged' : state === 'open' ? 'open' : 'closed',
    draft: flag(o, 'draft', what, false),
    head: branch(o, 'head'),
    base: branch(o, 'base'),
    mergeCommitSha: textOrNull(o, 'merge_commit_sha', what, true),
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
  const what = 'release';
  const o = object(r, what, '(body)');
  const immutable = o.immutable === undefined ? undefined : flag(o, 'immutable', what);
  return {
    id: integer(o, 'id', what),
    tag: text(o, 'tag_name', what),
    name: textOrNull(o, 'name', what),
    notes: textOrNull(o, 'body', what, true),
    draft: flag(o, 'draft', what),
    prerelease: flag(o, 'prerelease', what),
    immutable,
    targetCommitish: text(o, 'target_commitish', what),
    url: text(o, 'html_url', what),
    createdAt: text(o, 'created_at', what),
    publishedAt: textOrNull(o, 'published_at', what),
  };
}
