/**
 * Fulcio certificate extensions (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md).
 * The deprecated v1 extensions (…57264.1.1 – .6) hold raw UTF-8 bytes; every extension from
 * …57264.1.8 on holds a DER UTF8String, so its value must be decoded, never compared raw.
 */
export const FULCIO_OID_ARC = '1.3.6.1.4.1.57264.1';

/** The claims relkit reads, by name. GitHub Actions fills all of them. */
export interface FulcioClaims {
  /** OIDC issuer (v2 .8, else v1 .1). */
  readonly issuer?: string;
  /** v1 .2 GitHub Workflow Trigger, e.g. `push`. */
  readonly githubWorkflowTrigger?: string;
  readonly githubWorkflowSha?: string;
  readonly githubWorkflowName?: string;
  readonly githubWorkflowRepository?: string;
  readonly githubWorkflowRef?: string;
  /** .9: the workflow that signed, e.g. `https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1`. */
  readonly buildSignerUri?: string;
  readonly buildSignerDigest?: string;
  /** .11: `github-hosted` or `self-hosted`. */
  readonly runnerEnvironment?: string;
  /** .12: the repository whose workflow ran, e.g. `https://github.com/o/r`. */
  readonly sourceRepositoryUri?: string;
  readonly sourceRepositoryDigest?: string;
  /** .14: e.g. `refs/tags/v1.2.3`. */
  readonly sourceRepositoryRef?: string;
  readonly sourceRepositoryIdentifier?: string;
  readonly sourceRepositoryOwnerUri?: string;
  readonly sourceRepositoryOwnerIdentifier?: string;
  readonly buildConfigUri?: string;
  readonly buildConfigDigest?: string;
  /** .20: the event that triggered the build, e.g. `push`, `workflow_dispatch`. */
  readonly buildTrigger?: string;
  readonly runInvocationUri?: string;
  readonly sourceRepositoryVisibility?: string;
}

export type FulcioClaimName = keyof FulcioClaims;

const V1: Record<number, FulcioClaimName> = {
  1: 'issuer',
  2: 'githubWorkflowTrigger',
  3: 'githubWorkflowSha',
  4: 'githubWorkflowName',
  5: 'githubWorkflowRepository',
  6: 'githubWorkflowRef',
};
const V2: Record<number, FulcioClaimName> = {
  8: 'issuer',
  9: 'buildSignerUri',
  10: 'buildSignerDigest',
  11: 'runnerEnvironment',
  12: 'sourceRepositoryUri',
  13: 'sourceRepositoryDigest',
  14: 'sourceRepositoryRef',
  15: 'sourceRepositoryIdentifier',
  16: 'sourceRepositoryOwnerUri',
  17: 'sourceRepositoryOwnerIdentifier',
  18: 'buildConfigUri',
  19: 'buildConfigDigest',
  20: 'buildTrigger',
  21: 'runInvocationUri',
  22: 'sourceRepositoryVisibility',
};

export const CLAIM_NAMES: readonly FulcioClaimName[] = [
  ...new Set([...Object.values(V1), ...Object.values(V2)]),
];

/** Decodes a DER UTF8String (tag 0x0c, definite length covering the whole value); undefined if malformed. */
export function decodeDerUtf8String(bytes: Uint8Array): string | undefined {
  if (bytes.length < 2 || bytes[0] !== 0x0c) return undefined;
  const first = bytes[1]!;
  let len: number;
  let off: number;
  if (first < 0x80) {
    len = first;
    off = 2;
  } else {
    const n = first & 0x7f;
    if (n === 0 || n > 3 || bytes.length < 2 + n) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[2 + i]!;
    off = 2 + n;
  }
  if (off + len !== bytes.length) return undefined;
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(off));
}

/** DER UTF8String encoding of a string: what Fulcio stores for OIDs ≥ …57264.1.8. */
export function encodeDerUtf8String(value: string): Buffer {
  const b = Buffer.from(value, 'utf8');
  const len =
    b.length < 0x80
      ? [b.length]
      : b.length < 0x100
        ? [0x81, b.length]
        : b.length < 0x10000
          ? [0x82, b.length >> 8, b.length & 0xff]
          : [0x83, b.length >> 16, (b.length >> 8) & 0xff, b.length & 0xff];
  return Buffer.concat([Buffer.from([0x0c, ...len]), b]);
}

export interface CertificateExtension {
  readonly oid?: { readonly id: readonly number[] } | undefined;
  readonly value: Uint8Array;
}

/** Reads the Fulcio claims from a certificate's extensions (as @sigstore/verify returns them). */
export function decodeFulcioClaims(extensions: readonly CertificateExtension[]): FulcioClaims {
  const out: Partial<Record<FulcioClaimName, string>> = {};
  let v2Issuer = false;
  for (const ext of extensions) {
    if (!ext.oid) continue;
    const dotted = ext.oid.id.join('.');
    if (!dotted.startsWith(`${FULCIO_OID_ARC}.`)) continue;
    const arc = Number(dotted.slice(FULCIO_OID_ARC.length + 1));
    if (!Number.isInteger(arc)) continue;
    if (arc >= 8) {
      const name = V2[arc];
      if (!name) continue;
      const value = safeDecode(ext.value);
      if (value === undefined) continue;
      out[name] = value;
      if (name === 'issuer') v2Issuer = true;
    } else {
      const name = V1[arc];
      if (!name) continue;
      // The v2 issuer wins when a certificate carries both.
      if (name === 'issuer' && v2Issuer) continue;
      out[name] = Buffer.from(ext.value).toString('utf8');
    }
  }
  return out;
}

function safeDecode(value: Uint8Array): string | undefined {
  try {
    return decodeDerUtf8String(value);
  } catch {
    return undefined;
  }
}
