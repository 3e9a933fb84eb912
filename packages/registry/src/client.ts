import { repositoryScope, type CredentialProvider } from './auth.js';
import { assertDigest, digestOf } from './digest.js';
import { RegistryError } from './errors.js';
import { discard, readBodyLimited } from './limits.js';
import {
  MANIFEST_ACCEPT,
  MediaType,
  bareMediaType,
  parseManifest,
  referencedDescriptors,
  type Descriptor,
  type ParsedManifest,
  type Platform,
} from './manifest.js';
import {
  formatReference,
  referenceIdentifier,
  toReference,
  withDigest,
  withTag,
  type ImageReference,
  type ReferenceLike,
} from './reference.js';
import {
  Transport,
  describeRequest,
  errorFromResponse,
  type RegistryRequest,
  type TransportOptions,
  type TransportStats,
} from './transport.js';

export interface RegistryClientOptions extends TransportOptions {
  readonly credentials?: CredentialProvider;
  /** Largest manifest the client reads. Default 4 MiB (distribution's own limit). */
  readonly maxManifestBytes?: number;
  /** Largest blob `getBlob` reads unless the call says otherwise. Default 32 MiB. */
  readonly maxBlobBytes?: number;
  /** Bytes of manifests kept by digest (content-addressed, so never stale). Default 8 MiB. */
  readonly manifestCacheBytes?: number;
}

/** Every call takes these: a cancel signal and an optional per-attempt timeout. */
export interface RequestOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

/** What HEAD says about a manifest: enough to compare digests without downloading. */
export interface ManifestHead {
  readonly reference: ImageReference;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
}

/** A manifest as the registry stores it: the exact bytes (digest verified) and their parse. */
export interface Manifest extends ManifestHead {
  readonly bytes: Uint8Array;
  readonly manifest: ParsedManifest;
}

/** One platform of an image: the child manifest of an index, or the image itself. */
export interface PlatformImage {
  readonly platform: Platform | undefined;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  /** The descriptor's annotations (buildx marks attestation manifests here). */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** What `image inspect` shows: the digest that tags point to, and what it contains. */
export interface ImageDetails {
  readonly reference: ImageReference;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly kind: 'index' | 'image';
  readonly platforms: readonly PlatformImage[];
  readonly annotations: Readonly<Record<string, string>>;
  readonly artifactType: string | undefined;
  readonly subject: Descriptor | undefined;
}

export interface RetagOptions extends RequestOptions {
  /** HEAD the target first and write nothing when it already has the digest. Default true. */
  readonly skipIfCurrent?: boolean;
  /** After the write, HEAD the target and check it resolves to the digest. Default true. */
  readonly readBack?: boolean;
}

export interface RetagResult {
  /** The source, pinned to the digest that was copied. */
  readonly source: ImageReference;
  readonly target: ImageReference;
  readonly digest: string;
  readonly mediaType: string;
  /** False when the target already had the digest (nothing was written). */
  readonly changed: boolean;
  /** What the target pointed to before, when it was looked up (undefined = it did not exist). */
  readonly previousDigest: string | undefined;
}

export interface CopyResult extends RetagResult {
  readonly manifestsCopied: number;
  readonly blobsMounted: number;
  readonly blobsCopied: number;
  readonly blobsPresent: number;
}

export interface Referrers {
  /** 'api' when the registry has the OCI 1.1 referrers API, else the `sha256-<hex>` tag was read. */
  readonly via: 'api' | 'fallback-tag';
  /**
   * Descriptors of manifests whose subject is the digest. With an artifactType filter, entries
   * without any artifactType are kept (some registries leave it empty): check the manifest itself.
   */
  readonly manifests: readonly Descriptor[];
}

export interface BlobInfo {
  readonly digest: string;
  readonly size: number;
}

/** The tag under which OCI 1.1 registries without the referrers API list referrers of a digest. */
export function referrersTag(digest: string): string {
  return assertDigest(digest).replace(':', '-');
}

/**
 * A spec-exact OCI distribution client. Manifests are kept as the exact bytes the registry
 * sent, checked against their digest, and written back unchanged, so a retag can never change
 * what `latest` points to. Every call takes an AbortSignal.
 */
export class RegistryClient {
  private readonly transport: Transport;
  private readonly maxManifestBytes: number;
  private readonly maxBlobBytes: number;
  private readonly cacheLimit: number;
  private readonly cache = new Map<string, { bytes: Uint8Array; mediaType: string }>();
  private cacheSize = 0;

  constructor(options: RegistryClientOptions = {}) {
    this.transport = new Transport(options);
    this.maxManifestBytes = options.maxManifestBytes ?? 4 * 1024 * 1024;
    this.maxBlobBytes = options.maxBlobBytes ?? 32 * 1024 * 1024;
    this.cacheLimit = options.manifestCacheBytes ?? 8 * 1024 * 1024;
  }

  /** Requests, token requests, retries and auth challenges so far. */
  get stats(): Readonly<TransportStats> {
    return this.transport.stats;
  }

  /**
   * Gets ready to write to a repository without waiting: where the registry uses bearer tokens,
   * the push token is fetched now, alongside whatever the caller reads first, so the write does
   * not wait for the token service. Never throws; a failure shows again at the write.
   */
  prepareWrite(repository: ReferenceLike, options: RequestOptions = {}): void {
    let r: ImageReference;
    try {
      r = toReference(repository);
    } catch {
      return; // the write reports the bad reference
    }
    this.transport.prefetchToken(r.registry, repositoryScope(r.repository, 'pull,push'), options.signal);
  }

  /** The base URL the client uses for a registry host (https, or http for loopback/insecure). */
  baseUrl(registry: string): string {
    return this.transport.baseUrl(registry);
  }

  // ---------------------------------------------------------------------------------------
  // Manifests

  /**
   * HEAD a manifest. Undefined means the registry answered "not there"; a failure to look
   * (rate limit, outage, auth) throws, so the two can never be confused.
   */
  async headManifest(
    ref: ReferenceLike,
    options: RequestOptions & { push?: boolean } = {},
  ): Promise<ManifestHead | undefined> {
    const r = toReference(ref);
    const id = referenceIdentifier(r);
    const req = this.manifestRequest('HEAD', r, id, options, options.push ? 'pull,push' : 'pull');
    const head = await this.transport.send(req, async (res, url) => {
      if (res.status === 404) {
        await discard(res);
        return undefined;
      }
      if (res.status !== 200) throw await errorFromResponse(res, req, describeRequest(req, url));
      await discard(res);
      const digest = res.headers.get('docker-content-digest');
      const size = Number(res.headers.get('content-length') ?? NaN);
      return {
        digest: digest && /^sha256:[a-f0-9]{64}$/.test(digest) ? digest : undefined,
        mediaType: bareMediaType(res.headers.get('content-type')),
        size: Number.isFinite(size) ? size : -1,
      };
    });
    if (!head) return undefined;
    if (!head.digest) {
      // Some registries leave the digest out of HEAD: GET, which hashes the bytes (outside the
      // HEAD's concurrency slot, so a limit of 1 cannot deadlock).
      const m = await this.getManifest(r, options);
      return { reference: r, digest: m.digest, mediaType: m.mediaType, size: m.size };
    }
    if (r.digest && head.digest !== r.digest) {
      throw new RegistryError(
        'DIGEST_MISMATCH',
        `${formatReference(r)}: the registry answered with ${head.digest} for a different digest; refusing to trust it`,
      );
    }
    return { reference: r, digest: head.digest, mediaType: head.mediaType, size: head.size };
  }

  /** The digest a tag points to now (HEAD). Throws MANIFEST_UNKNOWN when the tag does not exist. */
  async resolveDigest(ref: ReferenceLike, options: RequestOptions = {}): Promise<string> {
    const r = toReference(ref);
    const head = await this.headManifest(r, options);
    if (!head) throw notFound(r);
    return head.digest;
  }

  /**
   * GET a manifest with all four media types accepted. The bytes are kept as sent and checked:
   * sha256(bytes) must equal Docker-Content-Digest and the digest asked for.
   */
  async getManifest(
    ref: ReferenceLike,
    options: RequestOptions & { maxBytes?: number; push?: boolean } = {},
  ): Promise<Manifest> {
    const m = await this.findManifest(ref, options);
    if (!m) throw notFound(toReference(ref));
    return m;
  }

  /** Like getManifest, but undefined when the registry says the manifest is not there. */
  async findManifest(
    ref: ReferenceLike,
    options: RequestOptions & { maxBytes?: number; push?: boolean } = {},
  ): Promise<Manifest | undefined> {
    const r = toReference(ref);
    if (r.digest) {
      const hit = this.cache.get(cacheKey(r, r.digest));
      if (hit) return this.toManifest(r, r.digest, hit.bytes, hit.mediaType);
    }
    const id = referenceIdentifier(r);
    const req = this.manifestRequest('GET', r, id, options, options.push ? 'pull,push' : 'pull');
    const got = await this.transport.send(req, async (res, url) => {
      if (res.status === 404) {
        await discard(res);
        return undefined;
      }
      if (res.status !== 200) throw await errorFromResponse(res, req, describeRequest(req, url));
      const bytes = await readBodyLimited(
        res,
        options.maxBytes ?? this.maxManifestBytes,
        `the manifest ${formatReference(r)}`,
      );
      return {
        bytes,
        contentType: res.headers.get('content-type'),
        header: res.headers.get('docker-content-digest'),
      };
    });
    if (!got) return undefined;
    const digest = digestOf(got.bytes);
    if (got.header && got.header !== digest) {
      throw new RegistryError(
        'DIGEST_MISMATCH',
        `${formatReference(r)}: the registry says the manifest is ${got.header} but its bytes hash to ${digest}; refusing to use it (corrupt storage or a tampering proxy)`,
      );
    }
    if (r.digest && r.digest !== digest) {
      throw new RegistryError(
        'DIGEST_MISMATCH',
        `${formatReference(r)}: asked for ${r.digest} but the bytes hash to ${digest}; refusing to use them`,
      );
    }
    const m = this.toManifest(r, digest, got.bytes, bareMediaType(got.contentType));
    this.remember(r, digest, got.bytes, m.mediaType);
    return m;
  }

  /**
   * PUT manifest bytes unchanged under a tag or digest, with their own media type as
   * Content-Type, and check the digest the registry reports. Returns the digest.
   */
  async putManifest(
    ref: ReferenceLike,
    content: { readonly bytes: Uint8Array; readonly mediaType: string },
    options: RequestOptions = {},
  ): Promise<string> {
    const r = toReference(ref);
    const digest = digestOf(content.bytes);
    if (r.digest && r.digest !== digest) {
      throw new RegistryError(
        'DIGEST_MISMATCH',
        `refusing to PUT bytes hashing to ${digest} under ${r.digest}`,
      );
    }
    const id = referenceIdentifier(r);
    const req: RegistryRequest = {
      ...this.manifestRequest('PUT', r, id, options, 'pull,push'),
      headers: { 'content-type': content.mediaType },
      body: content.bytes,
    };
    const stored = await this.transport.send(req, async (res, url) => {
      if (res.status !== 201 && res.status !== 200 && res.status !== 202) {
        throw await errorFromResponse(res, req, describeRequest(req, url));
      }
      await discard(res);
      return res.headers.get('docker-content-digest');
    });
    if (stored && stored !== digest) {
      throw new RegistryError(
        'DIGEST_MISMATCH',
        `${formatReference(r)}: the registry stored ${stored} instead of ${digest}; it changed the manifest`,
      );
    }
    this.remember(r, digest, content.bytes, content.mediaType);
    return digest;
  }

  /** Deletes a manifest by digest (release-candidate cleanup). False when it was not there. */
  async deleteManifest(ref: ReferenceLike, options: RequestOptions = {}): Promise<boolean> {
    const r = toReference(ref);
    if (!r.digest) {
      throw new RegistryError(
        'INVALID_REFERENCE',
        `${formatReference(r)}: deleting needs a digest reference (repo@sha256:…); deleting by tag would remove every tag of that image`,
      );
    }
    const req = this.manifestRequest('DELETE', r, r.digest, options, 'delete');
    return this.transport.send(req, async (res, url) => {
      if (res.status === 404) {
        await discard(res);
        return false;
      }
      if (res.status !== 202 && res.status !== 200 && res.status !== 204) {
        throw await errorFromResponse(res, req, describeRequest(req, url));
      }
      await discard(res);
      this.forget(r, r.digest!);
      return true;
    });
  }

  /** The digest, media type, platforms and annotations of an image. */
  async inspect(ref: ReferenceLike, options: RequestOptions = {}): Promise<ImageDetails> {
    return this.describe(await this.getManifest(ref, options), options);
  }

  /**
   * Details of a manifest already fetched: for an index its children's platforms; for a single
   * image the platform from its config blob (one small, size-limited read).
   */
  async describe(m: Manifest, options: RequestOptions = {}): Promise<ImageDetails> {
    const pm = m.manifest;
    let platforms: PlatformImage[];
    if (pm.kind === 'index') {
      platforms = pm.manifests.map((d) => ({
        platform: d.platform,
        digest: d.digest,
        mediaType: d.mediaType,
        size: d.size,
        ...(d.annotations ? { annotations: d.annotations } : {}),
      }));
    } else {
      platforms = [
        {
          platform: await this.configPlatform(m, options),
          digest: m.digest,
          mediaType: m.mediaType,
          size: m.size,
        },
      ];
    }
    return {
      reference: m.reference,
      digest: m.digest,
      mediaType: m.mediaType,
      size: m.size,
      kind: pm.kind,
      platforms,
      annotations: pm.annotations,
      artifactType: pm.artifactType,
      subject: pm.subject,
    };
  }

  // ---------------------------------------------------------------------------------------
  // Retag and copy

  /**
   * Points `tag` (in the source's repository) at exactly the source's manifest: the bytes are
   * copied unchanged, so the digest is the same. The target is HEADed first (in parallel with
   * the source GET) and nothing is written when it already has the digest, since registries
   * with immutable tags refuse even a same-digest PUT. Pass the source by digest to be race-free.
   */
  async retag(source: ReferenceLike, tag: string, options: RetagOptions = {}): Promise<RetagResult> {
    const src = toReference(source);
    const target = withTag(src, tag);
    // With a pull token at hand (this repository was just read), the reads go with it while
    // the push token is fetched alongside; otherwise one pull,push token serves reads and write.
    const readWithPull =
      !this.transport.hasToken(src.registry, repositoryScope(src.repository, 'pull,push')) &&
      this.transport.hasToken(src.registry, repositoryScope(src.repository, 'pull'));
    if (readWithPull) this.prepareWrite(src, options);
    const o = { signal: options.signal, timeoutMs: options.timeoutMs, push: !readWithPull };
    const skipIfCurrent = options.skipIfCurrent ?? true;
    let head: ManifestHead | undefined;
    let m: Manifest;
    if (src.digest && skipIfCurrent && this.cache.has(cacheKey(src, src.digest))) {
      // The digest is known and its bytes are at hand: the HEAD alone decides.
      head = await this.headManifest(target, o);
      if (head?.digest === src.digest) return unchanged(src, target, head);
      m = await this.getManifest(src, o);
    } else {
      // Both reads at once: the write then waits one round trip, not two.
      [m, head] = await Promise.all([
        this.getManifest(src, o),
        skipIfCurrent ? this.headManifest(target, o) : Promise.resolve(undefined),
      ]);
      if (head?.digest === m.digest) return unchanged(withDigest(src, m.digest), target, head);
    }
    await this.putManifest(target, m, o);
    if (options.readBack ?? true) await this.checkTarget(target, m.digest, o);
    return {
      source: withDigest(src, m.digest),
      target,
      digest: m.digest,
      mediaType: m.mediaType,
      changed: true,
      previousDigest: head?.digest,
    };
  }

  /**
   * Copies an image to another repository (and tag) with the same digest: child manifests
   * and blobs first (blobs mounted across repositories on the same registry, downloaded and
   * uploaded otherwise), then the top manifest's exact bytes.
   */
  async copy(source: ReferenceLike, target: ReferenceLike, options: RetagOptions = {}): Promise<CopyResult> {
    const src = toReference(source);
    const dst = toReference(target);
    if (!dst.tag && !dst.digest)
      throw new RegistryError('INVALID_REFERENCE', `${formatReference(dst)}: name a tag to copy to`);
    const o = { signal: options.signal, timeoutMs: options.timeoutMs };
    const m = await this.getManifest(src, o);
    if (dst.digest && dst.digest !== m.digest) {
      throw new RegistryError('DIGEST_MISMATCH', `${formatReference(src)} is ${m.digest}, not ${dst.digest}`);
    }
    const counts = { manifestsCopied: 0, blobsMounted: 0, blobsCopied: 0, blobsPresent: 0 };
    const result = (changed: boolean, previousDigest: string | undefined): CopyResult => ({
      source: withDigest(src, m.digest),
      target: dst,
      digest: m.digest,
      mediaType: m.mediaType,
      changed,
      previousDigest,
      ...counts,
    });
    let head: ManifestHead | undefined;
    if (options.skipIfCurrent ?? true) {
      head = await this.headManifest(dst, { ...o, push: true });
      if (head?.digest === m.digest) return result(false, head.digest);
    }
    await this.copyContents(src, dst, m.manifest, counts, o);
    await this.putManifest(dst.tag ? withTag(dst, dst.tag) : dst, m, o);
    if (options.readBack ?? true) await this.checkTarget(dst, m.digest, { ...o, push: true });
    return result(true, head?.digest);
  }

  private async copyContents(
    src: ImageReference,
    dst: ImageReference,
    pm: ParsedManifest,
    counts: { manifestsCopied: number; blobsMounted: number; blobsCopied: number; blobsPresent: number },
    o: RequestOptions,
  ): Promise<void> {
    if (pm.kind === 'index') {
      for (const child of pm.manifests) {
        if (await this.headManifest(withDigest(dst, child.digest), { ...o, push: true })) continue;
        const cm = await this.getManifest(withDigest(src, child.digest), o);
        await this.copyContents(src, dst, cm.manifest, counts, o);
        await this.putManifest(withDigest(dst, child.digest), cm, o);
        counts.manifestsCopied++;
      }
      return;
    }
    await Promise.all(
      // Foreign (non-distributable) layers live at their URLs, not in registries: not copied.
      referencedDescriptors(pm)
        .filter((d) => !(d.urls?.length && /foreign|nondistributable/.test(d.mediaType)))
        .map(async (blob) => {
          if (await this.headBlob(dst, blob.digest, { ...o, push: true })) {
            counts.blobsPresent++;
            return;
          }
          if (src.registry === dst.registry && (await this.mountBlob(dst, blob.digest, src.repository, o))) {
            counts.blobsMounted++;
            return;
          }
          await this.transferBlob(src, dst, blob, o);
          counts.blobsCopied++;
        }),
    );
  }

  private async checkTarget(
    target: ImageReference,
    digest: string,
    o: RequestOptions & { push?: boolean },
  ): Promise<void> {
    const after = await this.headManifest(target, o);
    if (after?.digest !== digest) {
      throw new RegistryError(
        'DIGEST_MISMATCH',
        `${formatReference(target)} resolves to ${after?.digest ?? 'nothing'} after writing ${digest}; another writer may be moving it`,
      );
    }
  }

  // ---------------------------------------------------------------------------------------
  // Tags and referrers

  /** Every tag of a repository, following `Link: <…>; rel="next"` pages. */
  async listTags(
    repository: ReferenceLike,
    options: RequestOptions & { pageSize?: number; maxPages?: number } = {},
  ): Promise<string[]> {
    const r = toReference(repository);
    const tags: string[] = [];
    let path: string | undefined = `/v2/${r.repository}/tags/list?n=${options.pageSize ?? 1000}`;
    const maxPages = options.maxPages ?? 1000;
    for (let page = 0; path; page++) {
      if (page >= maxPages) {
        throw new RegistryError(
          'PROTOCOL',
          `${r.registry}/${r.repository}: more than ${maxPages} pages of tags; stopping`,
        );
      }
      const req = {
        method: 'GET' as const,
        registry: r.registry,
        path,
        headers: { accept: 'application/json' },
        scope: repositoryScope(r.repository, 'pull'),
        signal: options.signal,
        timeoutMs: options.timeoutMs,
      };
      const out: { tags: string[]; next: string | undefined } = await this.transport.send(
        req,
        async (res, url) => {
          if (res.status !== 200)
            throw await errorFromResponse(res, req, describeRequest(req, url), 'NAME_UNKNOWN');
          const bytes = await readBodyLimited(res, 16 * 1024 * 1024, 'a tag list');
          const body = parseJson(bytes, 'tag list') as { tags?: unknown };
          const list = body.tags === null || body.tags === undefined ? [] : body.tags;
          if (!Array.isArray(list) || !list.every((t) => typeof t === 'string')) {
            throw new RegistryError(
              'PROTOCOL',
              `${describeRequest(req, url)}: "tags" is not a list of strings`,
            );
          }
          const link = res.headers.get('link');
          const m = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
          return { tags: list, next: m ? m[1] : undefined };
        },
      );
      tags.push(...out.tags);
      path = out.next;
    }
    return tags;
  }

  /**
   * Manifests that refer to `subject` (signatures, attestations, SBOMs): the OCI 1.1 referrers
   * API, or the `sha256-<hex>` fallback tag when the registry has no API (distribution 2.8, GHCR).
   * An empty list means the registry was asked and has none; failures to look throw.
   */
  async referrers(
    subject: ReferenceLike,
    options: RequestOptions & { artifactType?: string } = {},
  ): Promise<Referrers> {
    const r = toReference(subject);
    if (!r.digest) {
      throw new RegistryError(
        'INVALID_REFERENCE',
        `${formatReference(r)}: referrers are looked up by digest (repo@sha256:…)`,
      );
    }
    // Ask the API and read the fallback tag at once: registries without the API (GHCR, distribution
    // 2.8) answer 404 to the first, and waiting for that would put a round trip on the critical path.
    const fallbackLookup = this.findManifest(withTag(r, referrersTag(r.digest)), options).then(
      (manifest) => ({ manifest }),
      (error: unknown) => ({ error }),
    );
    const q = options.artifactType ? `?artifactType=${encodeURIComponent(options.artifactType)}` : '';
    const req = {
      method: 'GET' as const,
      registry: r.registry,
      path: `/v2/${r.repository}/referrers/${r.digest}${q}`,
      headers: { accept: MediaType.ociIndex },
      scope: repositoryScope(r.repository, 'pull'),
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    };
    const api = await this.transport.send(req, async (res, url) => {
      const type = bareMediaType(res.headers.get('content-type'));
      if (res.status === 200 && type === MediaType.ociIndex) {
        const bytes = await readBodyLimited(res, this.maxManifestBytes, 'a referrers index');
        const pm = parseManifest(bytes, MediaType.ociIndex);
        if (pm.kind !== 'index')
          throw new RegistryError('PROTOCOL', `${describeRequest(req, url)}: not an index`);
        return {
          manifests: pm.manifests,
          filtered: (res.headers.get('oci-filters-applied') ?? '').includes('artifactType'),
        };
      }
      // 404 (no API, or GHCR's MANIFEST_UNKNOWN), 400 and 405 all mean: use the fallback tag.
      if (res.status === 404 || res.status === 400 || res.status === 405 || res.status === 200) {
        await discard(res);
        return undefined;
      }
      throw await errorFromResponse(res, req, describeRequest(req, url));
    });
    if (api) {
      return {
        via: 'api',
        manifests: filterArtifacts(api.manifests, api.filtered ? undefined : options.artifactType),
      };
    }
    const looked = await fallbackLookup;
    if ('error' in looked) throw looked.error;
    const fallback = looked.manifest;
    if (!fallback) return { via: 'fallback-tag', manifests: [] };
    if (fallback.manifest.kind !== 'index') {
      throw new RegistryError(
        'PROTOCOL',
        `${formatReference(fallback.reference)} is not an index of referrers`,
      );
    }
    return {
      via: 'fallback-tag',
      manifests: filterArtifacts(fallback.manifest.manifests, options.artifactType),
    };
  }

  // ---------------------------------------------------------------------------------------
  // Blobs

  /** HEAD a blob: its size, or undefined when the repository does not have it. */
  async headBlob(
    repository: ReferenceLike,
    digest: string,
    options: RequestOptions & { push?: boolean } = {},
  ): Promise<BlobInfo | undefined> {
    const r = toReference(repository);
    assertDigest(digest);
    const req = this.blobRequest('HEAD', r, digest, options, options.push ? 'pull,push' : 'pull');
    return this.transport.send(req, async (res, url) => {
      await discard(res);
      if (res.status === 404) return undefined;
      if (res.status !== 200)
        throw await errorFromResponse(res, req, describeRequest(req, url), 'BLOB_UNKNOWN');
      return { digest, size: Number(res.headers.get('content-length') ?? -1) };
    });
  }

  /**
   * Downloads a blob into memory and checks its digest. At most `maxBytes` are read: the
   * declared length is checked first and the bytes are counted while streaming, so a hostile
   * registry cannot make the client read without end. Redirects to blob storage carry no
   * Authorization.
   */
  async getBlob(
    repository: ReferenceLike,
    digest: string,
    options: RequestOptions & { maxBytes?: number } = {},
  ): Promise<Uint8Array> {
    const r = toReference(repository);
    assertDigest(digest);
    const max = options.maxBytes ?? this.maxBlobBytes;
    const req = this.blobRequest('GET', r, digest, options, 'pull');
    const bytes = await this.transport.send(req, async (res, url) => {
      if (res.status !== 200)
        throw await errorFromResponse(res, req, describeRequest(req, url), 'BLOB_UNKNOWN');
      return readBodyLimited(res, max, `the blob ${r.registry}/${r.repository}@${digest}`);
    });
    const got = digestOf(bytes);
    if (got !== digest) {
      throw new RegistryError(
        'DIGEST_MISMATCH',
        `${r.registry}/${r.repository}@${digest}: the bytes received hash to ${got}; refusing to use them`,
      );
    }
    return bytes;
  }

  /** Uploads a blob (POST a session, PUT the bytes with ?digest=); skipped when present. */
  async uploadBlob(
    repository: ReferenceLike,
    bytes: Uint8Array,
    options: RequestOptions = {},
  ): Promise<string> {
    const r = toReference(repository);
    const digest = digestOf(bytes);
    if (await this.headBlob(r, digest, { ...options, push: true })) return digest;
    const scope = repositoryScope(r.repository, 'pull,push');
    const location = await this.openUpload(r, options);
    location.searchParams.set('digest', digest);
    const put = {
      method: 'PUT' as const,
      registry: r.registry,
      path: location.href,
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
      scope,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    };
    await this.transport.send(put, async (res, url) => {
      if (res.status !== 201)
        throw await errorFromResponse(res, put, describeRequest(put, url), 'BLOB_UNKNOWN');
      await discard(res);
      const stored = res.headers.get('docker-content-digest');
      if (stored && stored !== digest) {
        throw new RegistryError(
          'DIGEST_MISMATCH',
          `${describeRequest(put, url)}: stored as ${stored}, expected ${digest}`,
        );
      }
    });
    return digest;
  }

  /** POST an upload session; returns its Location. */
  private async openUpload(r: ImageReference, options: RequestOptions): Promise<URL> {
    const start: RegistryRequest = {
      method: 'POST',
      registry: r.registry,
      path: `/v2/${r.repository}/blobs/uploads/`,
      headers: { 'content-length': '0' },
      scope: repositoryScope(r.repository, 'pull,push'),
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    };
    return this.transport.send(start, async (res, url) => {
      if (res.status !== 202)
        throw await errorFromResponse(res, start, describeRequest(start, url), 'NAME_UNKNOWN');
      await discard(res);
      const loc = res.headers.get('location');
      if (!loc)
        throw new RegistryError('PROTOCOL', `${describeRequest(start, url)}: no Location for the upload`);
      return new URL(loc, url);
    });
  }

  /**
   * Streams a blob from one repository (or registry) to another without holding it in memory:
   * at most the descriptor's size is passed on, and the target registry checks the digest.
   */
  private async transferBlob(
    src: ImageReference,
    dst: ImageReference,
    blob: Descriptor,
    options: RequestOptions,
  ): Promise<void> {
    const location = await this.openUpload(dst, options);
    location.searchParams.set('digest', blob.digest);
    // The per-attempt timeout must cover the whole stream: allow for 1 MB/s at least.
    const o = { ...options, timeoutMs: options.timeoutMs ?? Math.max(30_000, Math.ceil(blob.size / 1000)) };
    const get = this.blobRequest('GET', src, blob.digest, o, 'pull');
    const what = `the blob ${src.registry}/${src.repository}@${blob.digest}`;
    // The handler hands the unread response out, so the source's slot is free while the
    // target's is taken: no nested slots, no deadlock when both are the same registry.
    const res = await this.transport.send(get, async (r, url) => {
      if (r.status !== 200) throw await errorFromResponse(r, get, describeRequest(get, url), 'BLOB_UNKNOWN');
      const declared = r.headers.get('content-length');
      if (declared !== null && Number(declared) !== blob.size) {
        await discard(r);
        throw new RegistryError(
          'PROTOCOL',
          `${what} is ${declared} bytes, but the manifest says ${blob.size}`,
        );
      }
      return r;
    });
    let seen = 0;
    const { Transform, pipeline } = process.getBuiltinModule('node:stream');
    const limited = new Transform({
      transform(chunk: Uint8Array, _encoding, done) {
        seen += chunk.byteLength;
        if (seen > blob.size) {
          done(
            new RegistryError(
              'TOO_LARGE',
              `${what} sends more than the ${blob.size} bytes its manifest says`,
            ),
          );
          return;
        }
        done(null, chunk);
      },
    });
    // pipeline: a failure on either side (the source drops, the target refuses) ends both.
    pipeline(res.body, limited, () => undefined);
    const put: RegistryRequest = {
      method: 'PUT',
      registry: dst.registry,
      path: location.href,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
      body: limited,
      scope: repositoryScope(dst.repository, 'pull,push'),
      signal: o.signal,
      timeoutMs: o.timeoutMs,
    };
    await this.transport.send(put, async (r, url) => {
      if (r.status !== 201) throw await errorFromResponse(r, put, describeRequest(put, url), 'BLOB_UNKNOWN');
      await discard(r);
      const stored = r.headers.get('docker-content-digest');
      if (stored && stored !== blob.digest) {
        throw new RegistryError(
          'DIGEST_MISMATCH',
          `${describeRequest(put, url)}: stored as ${stored}, expected ${blob.digest}`,
        );
      }
    });
  }

  /**
   * Cross-repository blob mount on one registry. True when mounted (201); false when the
   * registry opened an upload instead (202), which is then cancelled.
   */
  async mountBlob(
    repository: ReferenceLike,
    digest: string,
    fromRepository: string,
    options: RequestOptions = {},
  ): Promise<boolean> {
    const r = toReference(repository);
    assertDigest(digest);
    const req = {
      method: 'POST' as const,
      registry: r.registry,
      path: `/v2/${r.repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepository)}`,
      headers: { 'content-length': '0' },
      scope: `${repositoryScope(r.repository, 'pull,push')} ${repositoryScope(fromRepository, 'pull')}`,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    };
    const session = await this.transport.send(req, async (res, url) => {
      await discard(res);
      if (res.status === 201) return undefined;
      if (res.status === 202) return res.headers.get('location') ?? '';
      throw await errorFromResponse(res, req, describeRequest(req, url), 'BLOB_UNKNOWN');
    });
    if (session === undefined) return true;
    if (session) {
      // Close the upload session we did not want, best effort.
      const del = {
        method: 'DELETE' as const,
        registry: r.registry,
        path: session,
        scope: req.scope,
        signal: options.signal,
      };
      await this.transport.send(del, (res) => discard(res)).catch(() => undefined);
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------

  private manifestRequest(
    method: 'GET' | 'HEAD' | 'PUT' | 'DELETE',
    r: ImageReference,
    id: string,
    options: RequestOptions,
    actions: 'pull' | 'pull,push' | 'delete',
  ): RegistryRequest {
    const headers: Record<string, string> =
      method === 'GET' || method === 'HEAD' ? { accept: MANIFEST_ACCEPT } : {};
    return {
      method,
      registry: r.registry,
      path: `/v2/${r.repository}/manifests/${id}`,
      headers,
      scope: repositoryScope(r.repository, actions),
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    };
  }

  private blobRequest(
    method: 'GET' | 'HEAD',
    r: ImageReference,
    digest: string,
    options: RequestOptions,
    actions: 'pull' | 'pull,push',
  ): RegistryRequest {
    return {
      method,
      registry: r.registry,
      path: `/v2/${r.repository}/blobs/${digest}`,
      scope: repositoryScope(r.repository, actions),
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    };
  }

  private toManifest(r: ImageReference, digest: string, bytes: Uint8Array, contentType: string): Manifest {
    const manifest = parseManifest(bytes, contentType);
    return { reference: r, digest, mediaType: manifest.mediaType, size: bytes.byteLength, bytes, manifest };
  }

  private remember(r: ImageReference, digest: string, bytes: Uint8Array, mediaType: string): void {
    if (bytes.byteLength > this.cacheLimit / 4) return;
    const key = cacheKey(r, digest);
    if (this.cache.has(key)) return;
    this.cache.set(key, { bytes, mediaType });
    this.cacheSize += bytes.byteLength;
    for (const [k, v] of this.cache) {
      if (this.cacheSize <= this.cacheLimit) break;
      this.cache.delete(k);
      this.cacheSize -= v.bytes.byteLength;
    }
  }

  private forget(r: ImageReference, digest: string): void {
    const key = cacheKey(r, digest);
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cacheSize -= hit.bytes.byteLength;
    }
  }

  /** The platform of a single-platform image lives in its config blob (small; size-limited). */
  private async configPlatform(m: Manifest, options: RequestOptions): Promise<Platform | undefined> {
    if (m.manifest.kind !== 'image') return undefined;
    const cfg = m.manifest.config;
    if (cfg.mediaType !== MediaType.ociConfig && cfg.mediaType !== MediaType.dockerConfig) return undefined;
    const bytes = await this.getBlob(m.reference, cfg.digest, {
      ...options,
      maxBytes: Math.min(cfg.size, 1024 * 1024),
    });
    const c = parseJson(bytes, 'image config') as { os?: unknown; architecture?: unknown; variant?: unknown };
    if (typeof c.os !== 'string' || typeof c.architecture !== 'string') return undefined;
    return {
      os: c.os,
      architecture: c.architecture,
      ...(typeof c.variant === 'string' ? { variant: c.variant } : {}),
    };
  }
}

function cacheKey(r: ImageReference, digest: string): string {
  return `${r.registry}/${r.repository}@${digest}`;
}

function notFound(r: ImageReference): RegistryError {
  return new RegistryError(
    'MANIFEST_UNKNOWN',
    `${formatReference(r)} not found: the registry has no manifest under ${referenceIdentifier(r)} in ${r.repository}`,
    { status: 404 },
  );
}

function unchanged(source: ImageReference, target: ImageReference, head: ManifestHead): RetagResult {
  return {
    source,
    target,
    digest: head.digest,
    mediaType: head.mediaType,
    changed: false,
    previousDigest: head.digest,
  };
}

function filterArtifacts(list: readonly Descriptor[], artifactType: string | undefined): Descriptor[] {
  if (!artifactType) return [...list];
  return list.filter((d) => !d.artifactType || d.artifactType === artifactType);
}

function parseJson(bytes: Uint8Array, what: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new RegistryError('PROTOCOL', `the registry sent a ${what} that is not a JSON object`);
}
