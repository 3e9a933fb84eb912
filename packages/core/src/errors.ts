/**
 * The one error class of @relkit/release-core. `code` is stable and meant for programs
 * (exit codes, UI states); `message` is for people and says what to do.
 */
export type ReleaseErrorCode =
  | 'INVALID_VERSION'
  | 'INVALID_CONFIG'
  | 'CHANGELOG_PARSE'
  | 'CHANGELOG_STATE'
  | 'INVALID_ARGUMENT'
  | 'GATE_NOT_MET'
  | 'PLAN_FAILED'
  | 'LOCK_HELD'
  | 'LOCK_LOST'
  | 'ROLLBACK_REFUSED'
  | 'ABANDON_REFUSED';

export class ReleaseError extends Error {
  override readonly name = 'ReleaseError';
  readonly code: ReleaseErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ReleaseErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}
