export type GitHubErrorCode =
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'VALIDATION'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'INVALID_INPUT'
  | 'UNEXPECTED_RESPONSE'
  | 'PRECONDITION_FAILED'
  /** The tag name was used by a published (immutable) release that was deleted: gone forever. */
  | 'TAG_BURNED'
  /** A repository ruleset restricts creating this tag (or ref): the token is not on its bypass list. */
  | 'RULESET_REFUSED'
  /** The branch's ruleset requires signed commits and this API commit would not be signed. */
  | 'SIGNED_COMMITS_REQUIRED'
  /** A ref update that is not a fast-forward (the branch moved): recompute from the new head. */
  | 'NOT_FAST_FORWARD'
  /** The pull request cannot be merged now (draft, unapproved, checks, BEHIND/BLOCKED/DIRTY). */
  | 'NOT_MERGEABLE'
  /** The pull request head moved since it was checked: it was not merged. */
  | 'HEAD_MOVED'
  /** A write "succeeded" but reading back shows it did not take effect (#455). */
  | 'VERIFICATION_FAILED'
  /** More than one object matches where exactly one is expected. */
  | 'AMBIGUOUS'
  | 'TIMEOUT'
  | 'NO_TOKEN';

/** The one error class of @relkit/github: status, request id and advice, never the token. */
export class GitHubError extends Error {
  override readonly name = 'GitHubError';
  readonly code: GitHubErrorCode;
  /** HTTP status GitHub answered with; 0 when no response arrived (network, abort). */
  readonly status: number | undefined;
  /** GitHub's x-github-request-id, for support requests and log correlation. */
  readonly requestId: string | undefined;
  /** What to do about it, in one sentence. */
  readonly advice: string | undefined;
  /**
   * Could not look, and a later try may answer: rate limits, 5xx, timeouts, no response. Core's
   * asObservationError carries it into ObservationError.transient.
   */
  get transient(): boolean {
    return this.code === 'RATE_LIMITED' || this.code === 'UNAVAILABLE' || this.code === 'TIMEOUT';
  }

  constructor(
    code: GitHubErrorCode,
    message: string,
    options: { status?: number; requestId?: string; cause?: unknown; advice?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.requestId = options.requestId;
    this.advice = options.advice;
  }
}
