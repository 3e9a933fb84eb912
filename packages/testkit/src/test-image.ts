import { gzipSync } from 'node:zlib';
import { MediaTypes, OciWriter, sha256 } from './oci-writer.js';
import type { LocalRegistry } from './registry.js';

export type TestImageFormat = 'oci-index' | 'docker-list' | 'oci-single' | 'docker-single';

export interface PushedImage {
  readonly repository: string;
  readonly tag: string;
  /** Digest of what the tag points at: the index / list, or the single manifest. */
  readonly digest: string;
  readonly mediaType: string;
  readonly platforms: readonly {
    readonly os: string;
    readonly architecture: string;
    readonly digest: string;
  }[];
}

/** One-file ustar archive with fixed metadata, so the same input always gives the same bytes. */
function tarOneFile(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const h = Buffer.alloc(512, 0);
  const put = (s: string, off: number, len: number) => h.write(s, off, len, 'ascii');
  const oct = (n: number, len: number) => `${n.toString(8).padStart(len - 1, '0')}\0`;
  put(name, 0, 100);
  put(oct(0o644, 8), 100, 8);
  put(oct(0, 8), 108, 8);
  put(oct(0, 8), 116, 8);
  put(oct(data.length, 12), 124, 12);
  put(oct(0, 12), 136, 12);
  put('        ', 148, 8);
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return Buffer.concat([h, data, Buffer.alloc((512 - (data.length % 512)) % 512), Buffer.alloc(1024)]);
}

/**
 * Pushes a tiny deterministic image without Docker: linux/amd64 + linux/arm64 as an OCI index
 * or a Docker manifest list (or one linux/amd64 manifest). The same arguments always give the
 * same digests; `seed` makes a different image (a new version's build).
 */
export async function pushTestImage(
  registry: LocalRegistry | OciWriter,
  options: {
    repository: string;
    tag: string;
    format?: TestImageFormat;
    seed?: string;
    architectures?: readonly string[];
  },
): Promise<PushedImage> {
  const writer = registry instanceof OciWriter ? registry : OciWriter.for(registry);
  const format = options.format ?? 'oci-index';
  const oci = format.startsWith('oci');
  const single = format.endsWith('single');
  const T = oci
    ? {
        index: MediaTypes.ociIndex,
        manifest: MediaTypes.ociManifest,
        config: MediaTypes.ociConfig,
        layer: MediaTypes.ociLayerGzip,
      }
    : {
        index: MediaTypes.dockerList,
        manifest: MediaTypes.dockerManifest,
        config: MediaTypes.dockerConfig,
        layer: MediaTypes.dockerLayerGzip,
      };
  const archs = single ? ['amd64'] : (options.architectures ?? ['amd64', 'arm64']);
  const repo = options.repository;
  const platforms: { os: string; architecture: string; digest: string; size: number; bytes: Buffer }[] = [];
  for (const architecture of archs) {
    const tar = tarOneFile('hello.txt', `hello from linux/${architecture} ${options.seed ?? ''}\n`);
    const layer = gzipSync(tar, { level: 9 });
    const config = Buffer.from(
      JSON.stringify({
        architecture,
        os: 'linux',
        created: '2024-01-01T00:00:00Z',
        config: { Cmd: ['/hello.txt'], Labels: { 'org.opencontainers.image.version': options.tag } },
        rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
        history: [{ created: '2024-01-01T00:00:00Z', created_by: 'relkit testkit' }],
      }),
    );
    await writer.uploadBlob(repo, layer);
    await writer.uploadBlob(repo, config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: T.manifest,
        config: { mediaType: T.config, digest: sha256(config), size: config.length },
        layers: [{ mediaType: T.layer, digest: sha256(layer), size: layer.length }],
      }),
    );
    const digest = await writer.putManifest(
      repo,
      single ? options.tag : sha256(manifest),
      manifest,
      T.manifest,
    );
    platforms.push({ os: 'linux', architecture, digest, size: manifest.length, bytes: manifest });
  }
  if (single) {
    const p = platforms[0]!;
    return {
      repository: repo,
      tag: options.tag,
      digest: p.digest,
      mediaType: T.manifest,
      platforms: [{ os: p.os, architecture: p.architecture, digest: p.digest }],
    };
  }
  const index = Buffer.from(
    `${JSON.stringify(
      {
        schemaVersion: 2,
        mediaType: T.index,
        manifests: platforms.map((p) => ({
          mediaType: T.manifest,
          digest: p.digest,
          size: p.size,
          platform: { architecture: p.architecture, os: p.os },
        })),
      },
      null,
      2,
    )}\n`,
  );
  const digest = await writer.putManifest(repo, options.tag, index, T.index);
  return {
    repository: repo,
    tag: options.tag,
    digest,
    mediaType: T.index,
    platforms: platforms.map(({ os, architecture, digest: d }) => ({ os, architecture, digest: d })),
  };
}
