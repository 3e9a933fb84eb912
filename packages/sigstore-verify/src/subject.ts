import { SigstoreVerifyError } from './errors.js';

export const SIMPLE_SIGNING_TYPE = 'cosign container image signature';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** An in-toto statement, as much of it as relkit reads. */
export interface InTotoStatement {
  readonly _type?: string;
  readonly predicateType: string;
  readonly subject: readonly { readonly name?: string; readonly digest: Readonly<Record<string, string>> }[];
  readonly predicate?: unknown;
}

const DIGEST_RE = /^(sha256|sha384|sha512):([0-9a-f]{64,128})$/;

export function splitDigest(digest: string): { algorithm: string; hex: string } {
  const m = DIGEST_RE.exec(digest);
  if (!m) throw new SigstoreVerifyError('SUBJECT_MISMATCH', `"${digest}" is not a digest like sha256:<hex>`);
  return { algorithm: m[1]!, hex: m[2]! };
}

/**
 * Checks a cosign simple-signing payload names the image digest being verified
 * (`critical.image.docker-manifest-digest`; Go decodes keys case-insensitively, so we match so).
 * `docker-reference` is deliberately not checked: mirrors and renames keep valid signatures.
 */
export function checkSimpleSigningPayload(payload: Uint8Array, imageDigest: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw new SigstoreVerifyError('SUBJECT_MISMATCH', 'the signed payload is not JSON');
  }
  const critical = pick(doc, 'critical');
  const type = pick(critical, 'type');
  if (type !== SIMPLE_SIGNING_TYPE)
    throw new SigstoreVerifyError(
      'SUBJECT_MISMATCH',
      `the signed payload's critical.type is not "${SIMPLE_SIGNING_TYPE}"`,
    );
  const signed = pick(pick(critical, 'image'), 'docker-manifest-digest');
  if (signed !== imageDigest)
    throw new SigstoreVerifyError(
      'SUBJECT_MISMATCH',
      `the signature is for ${typeof signed === 'string' ? signed : '(no digest)'}, not for ${imageDigest}`,
    );
}

function pick(v: unknown, key: string): unknown {
  if (typeof v !== 'object' || v === null) return undefined;
  const k = Object.keys(v).find((x) => x.toLowerCase() === key);
  return k === undefined ? undefined : (v as Record<string, unknown>)[k];
}

/** Parses an in-toto statement from a DSSE payload. */
export function parseStatement(payloadType: string, payload: Uint8Array): InTotoStatement {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE)
    throw new SigstoreVerifyError(
      'SUBJECT_MISMATCH',
      `DSSE payload type is ${payloadType}, not ${IN_TOTO_PAYLOAD_TYPE}`,
    );
  let st: unknown;
  try {
    st = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw new SigstoreVerifyError('SUBJECT_MISMATCH', 'the in-toto statement is not JSON');
  }
  const s = st as Partial<InTotoStatement>;
  if (typeof s !== 'object' || s === null || typeof s.predicateType !== 'string' || !Array.isArray(s.subject))
    throw new SigstoreVerifyError(
      'SUBJECT_MISMATCH',
      'the in-toto statement has no predicateType or subject list',
    );
  return s as InTotoStatement;
}

/** Checks the statement's subject list contains the digest being verified. */
export function checkStatementSubject(statement: InTotoStatement, digest: string): void {
  const { algorithm, hex } = splitDigest(digest);
  const ok = statement.subject.some(
    (s) =>
      typeof s === 'object' && s !== null && typeof s.digest === 'object' && s.digest?.[algorithm] === hex,
  );
  if (!ok)
    throw new SigstoreVerifyError('SUBJECT_MISMATCH', `the attestation's subject does not include ${digest}`);
}
