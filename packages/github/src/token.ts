import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GitHubError } from './errors.js';

export type TokenSource =
  'GH_TOKEN' | 'GITHUB_TOKEN' | 'GH_ENTERPRISE_TOKEN' | 'GITHUB_ENTERPRISE_TOKEN' | 'gh hosts.yml';

/** A token and where it came from (never print the token itself; print the source). */
export interface ResolvedToken {
  readonly token: string;
  readonly source: TokenSource;
}

export interface ResolveTokenOptions {
  /** Environment to read; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The GitHub host, e.g. github.com or ghe.example.com; default github.com. */
  readonly host?: string;
  /** Directory holding the gh CLI's hosts.yml; default $GH_CONFIG_DIR, $XDG_CONFIG_HOME/gh, ~/.config/gh. */
  readonly ghConfigDir?: string;
}

/**
 * Finds a GitHub token the way the gh CLI does: GH_TOKEN, then GITHUB_TOKEN (for github.com;
 * GH_ENTERPRISE_TOKEN / GITHUB_ENTERPRISE_TOKEN for other hosts), then the token gh stored in
 * hosts.yml by `gh auth login`.
 */
export async function resolveGitHubToken(options: ResolveTokenOptions = {}): Promise<ResolvedToken> {
  const env = options.env ?? process.env;
  const host = (options.host ?? 'github.com').toLowerCase();
  const dotcom = host === 'github.com' || host === 'api.github.com';
  const names: TokenSource[] = dotcom
    ? ['GH_TOKEN', 'GITHUB_TOKEN']
    : ['GH_ENTERPRISE_TOKEN', 'GITHUB_ENTERPRISE_TOKEN'];
  for (const name of names) {
    const v = env[name]?.trim();
    if (v) return { token: v, source: name };
  }
  const dir =
    options.ghConfigDir ??
    env.GH_CONFIG_DIR ??
    (env.XDG_CONFIG_HOME ? path.join(env.XDG_CONFIG_HOME, 'gh') : path.join(os.homedir(), '.config', 'gh'));
  let text: string | undefined;
  try {
    text = await readFile(path.join(dir, 'hosts.yml'), 'utf8');
  } catch {
    text = undefined;
  }
  const stored = text === undefined ? undefined : tokenFromHostsYml(text, dotcom ? 'github.com' : host);
  if (stored) return { token: stored, source: 'gh hosts.yml' };
  throw new GitHubError(
    'NO_TOKEN',
    `no GitHub token for ${host}: ${names.join(' and ')} are unset and gh has none stored in hosts.yml`,
    {
      advice:
        text === undefined
          ? `export ${names[0]}=<token>, or run \`gh auth login --hostname ${host}\``
          : `gh keeps this token in the system keyring: run \`export ${names[0]}=$(gh auth token --hostname ${host})\``,
    },
  );
}

/**
 * Reads `oauth_token` for a host from gh's hosts.yml. The file is the small YAML gh writes:
 * a host key at column 0, its settings indented below, and (gh ≥ 2.40) a `users:` map whose
 * active user's token is also copied to the host level. Only that subset is understood.
 */
export function tokenFromHostsYml(text: string, host: string): string | undefined {
  let inHost = false;
  let hostIndent = -1;
  let activeUser: string | undefined;
  const userTokens = new Map<string, string>();
  let currentUser: string | undefined;
  let usersIndent = -1;
  let userKeyIndent = -1;
  let hostToken: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (!raw.trim() || raw.trim().startsWith('#')) continue;
    const indent = raw.length - raw.trimStart().length;
    const m = /^\s*("?)([^":]+)\1\s*:\s*(.*?)\s*$/.exec(raw);
    if (!m) continue;
    const key = m[2]!.trim();
    const value = m[3]!.replace(/^["']|["']$/g, '');
    if (indent === 0) {
      inHost = key.toLowerCase() === host;
      hostIndent = -1;
      usersIndent = -1;
      currentUser = undefined;
      continue;
    }
    if (!inHost) continue;
    if (hostIndent < 0) hostIndent = indent;
    if (indent === hostIndent) {
      usersIndent = -1;
      currentUser = undefined;
      if (key === 'oauth_token' && value) hostToken = value;
      if (key === 'user' && value) activeUser = value;
      if (key === 'users') {
        usersIndent = indent;
        userKeyIndent = -1;
      }
    } else if (usersIndent >= 0) {
      if (userKeyIndent < 0) userKeyIndent = indent;
      if (indent === userKeyIndent) currentUser = key;
      else if (key === 'oauth_token' && currentUser && value) userTokens.set(currentUser, value);
    }
  }
  return hostToken ?? (activeUser ? userTokens.get(activeUser) : undefined);
}
