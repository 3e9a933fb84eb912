/**
 * The registry reads signature discovery needs, in domain terms. @relkit/registry's client is
 * adapted to it (see registry-store.ts); anything else that can answer these works too.
 *
 * Contract: "not there" is `undefined`; every other failure (auth, 429, 5xx, network, size
 * limit) throws, and discovery reports it as "could not look", never as "not signed".
 */
export interface SignatureStore {
  /**
   * The manifests that refer to a digest: from the OCI 1.1 referrers API, or, on registries
   * without it (GHCR, Docker Hub, distribution 2.8), from the `sha256-<hex>` fallback tag index.
   * An empty list means the registry was asked and has none.
   */
  listReferrers(repository: string, digest: string, signal?: AbortSignal): Promise<ReferrerList>;
  /** A manifest's raw bytes by tag or digest, or `undefined` when it does not exist. */
  getManifest(
    repository: string,
    reference: string,
    signal?: AbortSignal,
  ): Promise<StoredManifest | undefined>;
  /** A blob's bytes; throws when it is missing or larger than maxBytes. */
  getBlob(repository: string, digest: string, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array>;
}

export interface ReferrerList {
  readonly via: 'api' | 'fallback-tag';
  readonly manifests: readonly ReferrerDescriptor[];
}

export interface ReferrerDescriptor {
  readonly mediaType?: string;
  readonly digest: string;
  readonly size?: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface StoredManifest {
  readonly bytes: Uint8Array;
  readonly mediaType: string;
}

/**
 * GitHub's attestations API (`GET /repos/{owner}/{repo}/attestations/{subject_digest}`): the
 * Sigstore bundles `actions/attest*` stored without `push-to-registry`, so no registry holds
 * them. Same contract as the store: none is an empty list, every failure throws.
 */
export interface AttestationsApi {
  /** The bundles (JSON values, as the API returns them) whose subject is this digest. */
  list(digest: string, signal?: AbortSignal): Promise<readonly unknown[]>;
}
