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
  | 'PRECONDITION_FAILED';

/** The one error class of @relkit/github: status, request id and advice, never the token. */
export class GitHubError extends Error {
  override readonly name = 'GitHubError';
  readonly code: GitHubErrorCode;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  constructor(
    code: GitHubErrorCode,
    message: string,
    options: { status?: number; requestId?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.requestId = options.requestId;
  }
}
