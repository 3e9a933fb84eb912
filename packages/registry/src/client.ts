import type { CredentialProvider, RepositoryAccess } from './auth.js';
import { getBlob, headBlob, mountBlob, uploadBlob, type BlobInfo } from './blobs.js';
import { ManifestCache, type ClientContext, type RequestOptions } from './context.js';
import {
  deleteManifest,
  describeManifest,
  findManifest,
  getManifest,
  headManifest,
  putManifest,
  resolveDigest,
  type ImageDetails,
  type Manifest,
  type ManifestHead,
} from './manifests.js';
import { toReference, type ReferenceLike } from './reference.js';
import { copy, prepareWrite, retag, type CopyResult, type RetagOptions, type RetagResult } from './retag.js';
import { listTags, referrers, type Referrers } from './tags.js';
import { Transport, type TransportOptions, type TransportStats } from './transport.js';

export interface RegistryClientOptions extends TransportOptions {
  readonly credentials?: CredentialProvider;
  /** Largest manifest the client reads. Default 4 MiB (distribution's own limit). */
  readonly maxManifestBytes?: number;
  /** Largest blob `getBlob` reads unless the call says otherwise. Default 32 MiB. */
  readonly maxBlobBytes?: number;
  /** Bytes of manifests kept by digest (content-addressed, so never stale). Default 8 MiB. */
  readonly manifestCacheBytes?: number;
}

/**
 * A spec-exact OCI distribution client. Manifests are kept as the exact bytes the registry
 * sent, checked against their digest, and written back unchanged, so a retag can never change
 * what `latest` points to. Every call takes an AbortSignal.
 *
 * The client is a facade: it owns the transport, limits and manifest cache (one ClientContext)
 * and each verb is a function of manifests.ts, blobs.ts, tags.ts or retag.ts.
 */
export class RegistryClient {
  private readonly ctx: ClientContext;

  constructor(options: RegistryClientOptions = {}) {
    this.ctx = {
      transport: new Transport(options),
      maxManifestBytes: options.maxManifestBytes ?? 4 * 1024 * 1024,
      maxBlobBytes: options.maxBlobBytes ?? 32 * 1024 * 1024,
      manifests: new ManifestCache(options.manifestCacheBytes ?? 8 * 1024 * 1024),
    };
  }

  /** Requests, token requests, retries and auth challenges so far. */
  get stats(): Readonly<TransportStats> {
    return this.ctx.transport.stats;
  }

  /**
   * Gets ready to write to a repository without waiting: where the registry uses bearer tokens,
   * the push token is fetched now, alongside whatever the caller reads first, so the write does
   * not wait for the token service. Never throws; a failure shows again at the write.
   */
  prepareWrite(repository: ReferenceLike, options: RequestOptions = {}): void {
    prepareWrite(this.ctx, repository, options);
  }

  /** The base URL the client uses for a registry host (https, or http for loopback/insecure). */
  /**
   * What the configured credentials may do on a repository (`setup checks`): the registry's auth
   * scheme and, for token registries, the actions a pull,push token grants. Never writes.
   */
  repositoryAccess(repository: ReferenceLike, options: RequestOptions = {}): Promise<RepositoryAccess> {
    const ref = toReference(repository);
    return this.ctx.transport.access(ref.registry, ref.repository, options.signal);
  }

  baseUrl(registry: string): string {
    return this.ctx.transport.baseUrl(registry);
  }

  // ---------------------------------------------------------------------------------------
  // Manifests (manifests.ts)

  /**
   * HEAD a manifest. Undefined means the registry answered "not there"; a failure to look
   * (rate limit, outage, auth) throws, so the two can never be confused.
   */
  headManifest(
    ref: ReferenceLike,
    options: RequestOptions & { push?: boolean } = {},
  ): Promise<ManifestHead | undefined> {
    return headManifest(this.ctx, ref, options);
  }

  /** The digest a tag points to now (HEAD). Throws MANIFEST_UNKNOWN when the tag does not exist. */
  resolveDigest(ref: ReferenceLike, options: RequestOptions = {}): Promise<string> {
    return resolveDigest(this.ctx, ref, options);
  }

  /**
   * GET a manifest with all four media types accepted. The bytes are kept as sent and checked:
   * sha256(bytes) must equal Docker-Content-Digest and the digest asked for.
   */
  getManifest(
    ref: ReferenceLike,
    options: RequestOptions & { maxBytes?: number; push?: boolean } = {},
  ): Promise<Manifest> {
    return getManifest(this.ctx, ref, options);
  }

  /** Like getManifest, but undefined when the registry says the manifest is not there. */
  findManifest(
    ref: ReferenceLike,
    options: RequestOptions & { maxBytes?: number; push?: boolean } = {},
  ): Promise<Manifest | undefined> {
    return findManifest(this.ctx, ref, options);
  }

  /**
   * PUT manifest bytes unchanged under a tag or digest, with their own media type as
   * Content-Type, and check the digest the registry reports. Returns the digest.
   */
  putManifest(
    ref: ReferenceLike,
    content: { readonly bytes: Uint8Array; readonly mediaType: string },
    options: RequestOptions = {},
  ): Promise<string> {
    return putManifest(this.ctx, ref, content, options);
  }

  /** Deletes a manifest by digest (release-candidate cleanup). False when it was not there. */
  deleteManifest(ref: ReferenceLike, options: RequestOptions = {}): Promise<boolean> {
    return deleteManifest(this.ctx, ref, options);
  }

  /** The digest, media type, platforms and annotations of an image. */
  async inspect(ref: ReferenceLike, options: RequestOptions = {}): Promise<ImageDetails> {
    return describeManifest(this.ctx, await getManifest(this.ctx, ref, options), options);
  }

  /**
   * Details of a manifest already fetched: for an index its children's platforms; for a single
   * image the platform from its config blob (one small, size-limited read).
   */
  describe(m: Manifest, options: RequestOptions = {}): Promise<ImageDetails> {
    return describeManifest(this.ctx, m, options);
  }

  // ---------------------------------------------------------------------------------------
  // Retag and copy (retag.ts)

  /**
   * Points `tag` (in the source's repository) at exactly the source's manifest: the bytes are
   * copied unchanged, so the digest is the same. The target is HEADed first (in parallel with
   * the source GET) and nothing is written when it already has the digest, since registries
   * with immutable tags refuse even a same-digest PUT. Pass the source by digest to be race-free.
   */
  retag(source: ReferenceLike, tag: string, options: RetagOptions = {}): Promise<RetagResult> {
    return retag(this.ctx, source, tag, options);
  }

  /**
   * Copies an image to another repository (and tag) with the same digest: child manifests
   * and blobs first (blobs mounted across repositories on the same registry, downloaded and
   * uploaded otherwise), then the top manifest's exact bytes.
   */
  copy(source: ReferenceLike, target: ReferenceLike, options: RetagOptions = {}): Promise<CopyResult> {
    return copy(this.ctx, source, target, options);
  }

  // ---------------------------------------------------------------------------------------
  // Tags and referrers (tags.ts)

  /** Every tag of a repository, following `Link: <…>; rel="next"` pages. */
  listTags(
    repository: ReferenceLike,
    options: RequestOptions & { pageSize?: number; maxPages?: number } = {},
  ): Promise<string[]> {
    return listTags(this.ctx, repository, options);
  }

  /**
   * Manifests that refer to `subject` (signatures, attestations, SBOMs): the OCI 1.1 referrers
   * API, or the `sha256-<hex>` fallback tag when the registry has no API (distribution 2.8, GHCR).
   * An empty list means the registry was asked and has none; failures to look throw.
   */
  referrers(
    subject: ReferenceLike,
    options: RequestOptions & { artifactType?: string } = {},
  ): Promise<Referrers> {
    return referrers(this.ctx, subject, options);
  }

  // ---------------------------------------------------------------------------------------
  // Blobs (blobs.ts)

  /** HEAD a blob: its size, or undefined when the repository does not have it. */
  headBlob(
    repository: ReferenceLike,
    digest: string,
    options: RequestOptions & { push?: boolean } = {},
  ): Promise<BlobInfo | undefined> {
    return headBlob(this.ctx, repository, digest, options);
  }

  /**
   * Downloads a blob into memory and checks its digest. At most `maxBytes` are read: the
   * declared length is checked first and the bytes are counted while streaming, so a hostile
   * registry cannot make the client read without end. Redirects to blob storage carry no
   * Authorization.
   */
  getBlob(
    repository: ReferenceLike,
    digest: string,
    options: RequestOptions & { maxBytes?: number } = {},
  ): Promise<Uint8Array> {
    return getBlob(this.ctx, repository, digest, options);
  }

  /** Uploads a blob (POST a session, PUT the bytes with ?digest=); skipped when present. */
  uploadBlob(repository: ReferenceLike, bytes: Uint8Array, options: RequestOptions = {}): Promise<string> {
    return uploadBlob(this.ctx, repository, bytes, options);
  }

  /**
   * Cross-repository blob mount on one registry. True when mounted (201); false when the
   * registry opened an upload instead (202), which is then cancelled.
   */
  mountBlob(
    repository: ReferenceLike,
    digest: string,
    fromRepository: string,
    options: RequestOptions = {},
  ): Promise<boolean> {
    return mountBlob(this.ctx, repository, digest, fromRepository, options);
  }
}
