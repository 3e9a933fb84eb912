import { RegistryError } from './errors.js';

/** The manifest media types relkit reads and writes. */
export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

/**
 * Sent on every manifest request. All four, always: without the index types distribution
 * answers an OCI index with a misleading 404 and a Docker list with its linux/amd64 child.
 */
export const MANIFEST_ACCEPT = [
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerList,
  MediaType.dockerManifest,
].join(', ');

const INDEX_TYPES: readonly string[] = [MediaType.ociIndex, MediaType.dockerList];
const IMAGE_TYPES: readonly string[] = [MediaType.ociManifest, MediaType.dockerManifest];

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly osVersion?: string;
}

/** An OCI content descriptor (a pointer to a manifest or blob by digest). */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly urls?: readonly string[];
}

/** A multi-platform image: an OCI index or a Docker manifest list. */
export interface IndexManifest {
  readonly kind: 'index';
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
  readonly artifactType?: string;
  readonly subject?: Descriptor;
  readonly annotations: Readonly<Record<string, string>>;
}

/** A single-platform image (or an artifact such as a signature). */
export interface ImageManifest {
  readonly kind: 'image';
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly artifactType?: string;
  readonly subject?: Descriptor;
  readonly annotations: Readonly<Record<string, string>>;
}

export type ParsedManifest = IndexManifest | ImageManifest;

/** The bare media type of a Content-Type header (parameters dropped). */
export function bareMediaType(contentType: string | null | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export function isIndexMediaType(mediaType: string): boolean {
  return INDEX_TYPES.includes(mediaType);
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function bad(what: string): RegistryError {
  return new RegistryError('PROTOCOL', `the registry sent a manifest that is not valid: ${what}`);
}

function stringMap(v: unknown, where: string): Record<string, string> {
  if (v === undefined) return {};
  if (!isObject(v)) throw bad(`${where} is not an object`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') throw bad(`${where}.${k} is not a string`);
    out[k] = val;
  }
  return out;
}

function platformOf(v: unknown, where: string): Platform | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v) || typeof v.os !== 'string' || typeof v.architecture !== 'string')
    throw bad(`${where}.platform needs os and architecture`);
  return {
    os: v.os,
    architecture: v.architecture,
    ...(str(v.variant) !== undefined ? { variant: str(v.variant)! } : {}),
    ...(str(v['os.version']) !== undefined ? { osVersion: str(v['os.version'])! } : {}),
  };
}

export function parseDescriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) throw bad(`${where} is not an object`);
  const { mediaType, digest, size } = v;
  if (typeof mediaType !== 'string') throw bad(`${where}.mediaType is missing`);
  if (typeof digest !== 'string' || !/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest))
    throw bad(`${where}.digest is missing or malformed`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw bad(`${where}.size is not a non-negative integer`);
  const platform = platformOf(v.platform, where);
  const annotations =
    v.annotations === undefined ? undefined : stringMap(v.annotations, `${where}.annotations`);
  const artifactType = str(v.artifactType);
  const urls = Array.isArray(v.urls) ? v.urls.filter((u): u is string => typeof u === 'string') : undefined;
  return {
    mediaType,
    digest,
    size,
    ...(platform ? { platform } : {}),
    ...(artifactType !== undefined ? { artifactType } : {}),
    ...(annotations ? { annotations } : {}),
    ...(urls ? { urls } : {}),
  };
}

/**
 * Parses manifest bytes (never re-serialised: the bytes are what the digest covers). The media
 * type is the body's `mediaType`, else the Content-Type the registry sent.
 */
export function parseManifest(bytes: Uint8Array, contentType?: string): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw bad('it is not JSON');
  }
  if (!isObject(json)) throw bad('it is not a JSON object');
  const bodyType = str(json.mediaType);
  const headerType = bareMediaType(contentType);
  if (json.schemaVersion === 1 || headerType.startsWith('application/vnd.docker.distribution.manifest.v1')) {
    throw new RegistryError(
      'UNSUPPORTED',
      'this is a Docker schema-1 manifest, which relkit does not handle; push the image again with a current builder',
    );
  }
  if (json.schemaVersion !== 2) throw bad('schemaVersion is not 2');
  const mediaType =
    bodyType ?? (headerType || (Array.isArray(json.manifests) ? MediaType.ociIndex : MediaType.ociManifest));
  const annotations = stringMap(json.annotations, 'annotations');
  const artifactType = str(json.artifactType);
  const subject = json.subject === undefined ? undefined : parseDescriptor(json.subject, 'subject');
  const common = {
    mediaType,
    annotations,
    ...(artifactType !== undefined ? { artifactType } : {}),
    ...(subject ? { subject } : {}),
  };
  if (
    INDEX_TYPES.includes(mediaType) ||
    (!IMAGE_TYPES.includes(mediaType) && Array.isArray(json.manifests))
  ) {
    if (!Array.isArray(json.manifests)) throw bad('an index without "manifests"');
    return {
      kind: 'index',
      ...common,
      manifests: json.manifests.map((d, i) => parseDescriptor(d, `manifests[${i}]`)),
    };
  }
  if (!IMAGE_TYPES.includes(mediaType) && !isObject(json.config))
    throw bad(`unknown manifest media type "${mediaType}"`);
  const layers = json.layers === undefined ? [] : json.layers;
  if (!Array.isArray(layers)) throw bad('"layers" is not a list');
  return {
    kind: 'image',
    ...common,
    config: parseDescriptor(json.config, 'config'),
    layers: layers.map((d, i) => parseDescriptor(d, `layers[${i}]`)),
  };
}

/** Every descriptor a manifest points at (children of an index; config and layers of an image). */
export function referencedDescriptors(m: ParsedManifest): readonly Descriptor[] {
  return m.kind === 'index' ? m.manifests : [m.config, ...m.layers];
}

/** "linux/arm64/v8" */
export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}
