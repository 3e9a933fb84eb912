export type SigstoreVerifyErrorCode =
  | 'POLICY_INVALID'
  | 'TRUST_ROOT_INVALID'
  | 'TRUST_ROOT_REFRESH_FAILED'
  | 'BUNDLE_INVALID'
  | 'VERIFICATION_FAILED'
  | 'SUBJECT_MISMATCH'
  | 'TLOG_KEY_MISMATCH'
  | 'UNTRUSTED_SIGNER'
  | 'LOOKUP_FAILED';

/** The one error class of @relkit/sigstore-verify. */
export class SigstoreVerifyError extends Error {
  override readonly name = 'SigstoreVerifyError';
  readonly code: SigstoreVerifyErrorCode;
  constructor(code: SigstoreVerifyErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
