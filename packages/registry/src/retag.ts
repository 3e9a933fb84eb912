import { repositoryScope } from './auth.js';
import { headBlob, mountBlob, transferBlob } from './blobs.js';
import type { ClientContext, RequestOptions } from './context.js';
import { RegistryError } from './errors.js';
import { referencedDescriptors, type ParsedManifest } from './manifest.js';
import { getManifest, headManifest, putManifest, type Manifest, type ManifestHead } from './manifests.js';
import {
  formatReference,
  toReference,
  withDigest,
  withTag,
  type ImageReference,
  type ReferenceLike,
} from './reference.js';

/*
 * Retag and copy: point a tag at exactly the bytes of another manifest (same repository), or
 * copy an image with its children and blobs to another repository or registry. Both skip the
 * write when the target already has the digest and read the target back afterwards.
 */

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

type CopyCounts = {
  manifestsCopied: number;
  blobsMounted: number;
  blobsCopied: number;
  blobsPresent: number;
};

/**
 * Gets ready to write to a repository without waiting: where the registry uses bearer tokens,
 * the push token is fetched now, alongside whatever the caller reads first, so the write does
 * not wait for the token service. Never throws; a failure shows again at the write.
 */
export function prepareWrite(
  ctx: ClientContext,
  repository: ReferenceLike,
  options: RequestOptions = {},
): void {
  let r: ImageReference;
  try {
    r = toReference(repository);
  } catch {
    return; // the write reports the bad reference
  }
  ctx.transport.prefetchToken(r.registry, repositoryScope(r.repository, 'pull,push'), options.signal);
}

/**
 * Points `tag` (in the source's repository) at exactly the source's manifest: the bytes are
 * copied unchanged, so the digest is the same. The target is HEADed first (in parallel with
 * the source GET) and nothing is written when it already has the digest, since registries
 * with immutable tags refuse even a same-digest PUT. Pass the source by digest to be race-free.
 */
export async function retag(
  ctx: ClientContext,
  source: ReferenceLike,
  tag: string,
  options: RetagOptions = {},
): Promise<RetagResult> {
  const src = toReference(source);
  const target = withTag(src, tag);
  // With a pull token at hand (this repository was just read), the reads go with it while
  // the push token is fetched alongside; otherwise one pull,push token serves reads and write.
  const readWithPull =
    !ctx.transport.hasToken(src.registry, repositoryScope(src.repository, 'pull,push')) &&
    ctx.transport.hasToken(src.registry, repositoryScope(src.repository, 'pull'));
  if (readWithPull) prepareWrite(ctx, src, options);
  const o = { signal: options.signal, timeoutMs: options.timeoutMs, push: !readWithPull };
  const skipIfCurrent = options.skipIfCurrent ?? true;
  let head: ManifestHead | undefined;
  let m: Manifest;
  if (src.digest && skipIfCurrent && ctx.manifests.has(src, src.digest)) {
    // The digest is known and its bytes are at hand: the HEAD alone decides.
    head = await headManifest(ctx, target, o);
    if (head?.digest === src.digest) return unchanged(src, target, head);
    m = await getManifest(ctx, src, o);
  } else {
    // Both reads at once: the write then waits one round trip, not two.
    [m, head] = await Promise.all([
      getManifest(ctx, src, o),
      skipIfCurrent ? headManifest(ctx, target, o) : Promise.resolve(undefined),
    ]);
    if (head?.digest === m.digest) return unchanged(withDigest(src, m.digest), target, head);
  }
  // The read-back rides the PUT's round trip where the connection pipelines: the HEAD is
  // written right behind the PUT and answered after it. Its answer proves the write only when
  // it shows the new digest and the target was seen without it before (else it could predate
  // the PUT); anything else — or no pipelining — and the target is read again after the PUT.
  const readBack = options.readBack ?? true;
  const pipelineProof = readBack && skipIfCurrent;
  let early: Promise<ManifestHead | undefined> | undefined;
  await putManifest(ctx, target, m, {
    ...o,
    onPipelining: pipelineProof
      ? () => {
          early ??= headManifest(ctx, target, o).catch(() => undefined);
        }
      : undefined,
  });
  if (readBack && (await early)?.digest !== m.digest) await checkTarget(ctx, target, m.digest, o);
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
export async function copy(
  ctx: ClientContext,
  source: ReferenceLike,
  target: ReferenceLike,
  options: RetagOptions = {},
): Promise<CopyResult> {
  const src = toReference(source);
  const dst = toReference(target);
  if (!dst.tag && !dst.digest)
    throw new RegistryError('INVALID_REFERENCE', `${formatReference(dst)}: name a tag to copy to`);
  const o = { signal: options.signal, timeoutMs: options.timeoutMs };
  const m = await getManifest(ctx, src, o);
  if (dst.digest && dst.digest !== m.digest) {
    throw new RegistryError('DIGEST_MISMATCH', `${formatReference(src)} is ${m.digest}, not ${dst.digest}`);
  }
  const counts: CopyCounts = { manifestsCopied: 0, blobsMounted: 0, blobsCopied: 0, blobsPresent: 0 };
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
    head = await headManifest(ctx, dst, { ...o, push: true });
    if (head?.digest === m.digest) return result(false, head.digest);
  }
  await copyContents(ctx, src, dst, m.manifest, counts, o);
  await putManifest(ctx, dst.tag ? withTag(dst, dst.tag) : dst, m, o);
  if (options.readBack ?? true) await checkTarget(ctx, dst, m.digest, { ...o, push: true });
  return result(true, head?.digest);
}

async function copyContents(
  ctx: ClientContext,
  src: ImageReference,
  dst: ImageReference,
  pm: ParsedManifest,
  counts: CopyCounts,
  o: RequestOptions,
): Promise<void> {
  if (pm.kind === 'index') {
    for (const child of pm.manifests) {
      if (await headManifest(ctx, withDigest(dst, child.digest), { ...o, push: true })) continue;
      const cm = await getManifest(ctx, withDigest(src, child.digest), o);
      await copyContents(ctx, src, dst, cm.manifest, counts, o);
      await putManifest(ctx, withDigest(dst, child.digest), cm, o);
      counts.manifestsCopied++;
    }
    return;
  }
  await Promise.all(
    // Foreign (non-distributable) layers live at their URLs, not in registries: not copied.
    referencedDescriptors(pm)
      .filter((d) => !(d.urls?.length && /foreign|nondistributable/.test(d.mediaType)))
      .map(async (blob) => {
        if (await headBlob(ctx, dst, blob.digest, { ...o, push: true })) {
          counts.blobsPresent++;
          return;
        }
        if (src.registry === dst.registry && (await mountBlob(ctx, dst, blob.digest, src.repository, o))) {
          counts.blobsMounted++;
          return;
        }
        await transferBlob(ctx, src, dst, blob, o);
        counts.blobsCopied++;
      }),
  );
}

/** The read-back after a write: the target must resolve to the digest just written. */
async function checkTarget(
  ctx: ClientContext,
  target: ImageReference,
  digest: string,
  o: RequestOptions & { push?: boolean },
): Promise<void> {
  const after = await headManifest(ctx, target, o);
  if (after?.digest !== digest) {
    throw new RegistryError(
      'DIGEST_MISMATCH',
      `${formatReference(target)} resolves to ${after?.digest ?? 'nothing'} after writing ${digest}; another writer may be moving it`,
    );
  }
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
