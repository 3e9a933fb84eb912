/** Where the composition root finds its config and credentials; the same contract for every front end. */
export interface ConnectOptions {
  readonly cwd: string;
  /** Path of release.config.json; found upwards from cwd when omitted. */
  readonly configPath?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * The deadline of every network operation (a request with its retries and waits), in ms: a
   * registry or GitHub API that never answers fails within it, naming the host. Default: env
   * RELKIT_TIMEOUT (seconds), else 60 s.
   */
  readonly timeoutMs?: number | undefined;
}

/**
 * ConnectOptions plus a GitHub token the front end already holds (the VS Code extension's
 * sign-in); without it the token is found the way gh finds it.
 */
export interface ReleaseConnectOptions extends ConnectOptions {
  readonly githubToken?: string | undefined;
}
