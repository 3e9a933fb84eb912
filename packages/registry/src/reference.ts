import { RegistryError } from './errors.js';

/**
 * An image reference, normalised like Docker does: `ubuntu` is `docker.io/library/ubuntu`,
 * `localhost:5000/app:1.2.3` stays on localhost:5000. A reference names a tag, a digest, or both
 * (then the digest wins when fetching: it cannot move).
 */
export interface ImageReference {
  /** host[:port] as written (docker.io for Docker Hub). */
  readonly registry: string;
  /** The repository path inside the registry, e.g. `library/ubuntu` or `acme/app`. */
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

// The distribution reference grammar (github.com/distribution/reference, regexp.go), verbatim.
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const optionalPort = '(?::[0-9]+)?';
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = host + optionalPort;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePat = `(?:${domainAndPort}/)?${remoteName}`;

const REFERENCE_RE = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const ANCHORED_NAME_RE = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const TAG_RE = new RegExp(`^${tagPat}$`);
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;
const NAME_TOTAL_LENGTH_MAX = 255;

export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's API really lives. */
export const DOCKER_HUB_API = 'registry-1.docker.io';

/**
 * The input as an error may quote it: userinfo before the host (`user:password@host/app`, a
 * reference copied from a URL with credentials, `https://` or not) is masked. Only an @ before
 * the first / is userinfo; the one after the path starts a digest.
 */
function quotable(input: string): string {
  return input.replace(
    /^((?:[a-z][a-z0-9+.-]*:)?\/\/)?[^/\s]*@(?![a-z][a-z0-9+.-]*:[0-9a-f]{32,}$)/i,
    (_m, scheme?: string) => `${scheme ?? ''}***@`,
  );
}

function invalid(input: string, why: string): RegistryError {
  return new RegistryError(
    'INVALID_REFERENCE',
    `"${quotable(input)}" is not a valid image reference: ${why} (expected host[:port]/path[:tag][@sha256:<hex>], e.g. ghcr.io/acme/app:1.2.3)`,
  );
}

/** Splits a name into domain and path the way Docker does (normalize.go, splitDockerDomain). */
function splitDockerDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf('/');
  if (slash < 0) return { domain: DOCKER_HUB, path: `library/${name}` };
  const maybeDomain = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let domain: string;
  let path: string;
  if (maybeDomain === 'localhost' || /[.:]/.test(maybeDomain) || maybeDomain.toLowerCase() !== maybeDomain) {
    domain = maybeDomain === 'index.docker.io' ? DOCKER_HUB : maybeDomain;
    path = rest;
  } else {
    domain = DOCKER_HUB;
    path = name;
  }
  if (domain === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  return { domain, path };
}

/**
 * Parses an image reference exactly like `docker pull` does (ParseNormalizedNamed): familiar
 * names get docker.io and library/, uppercase repository names are refused, 64-hex strings are
 * refused as names. Only sha256 digests are accepted, since relkit trusts no other algorithm.
 */
export function parseReference(input: string): ImageReference {
  if (input === '') throw invalid(input, 'it is empty');
  if (IDENTIFIER_RE.test(input))
    throw invalid(input, 'a 64-character hex string is an image ID, not a repository name');
  const { domain, path: remainder } = splitDockerDomain(input);
  const tagSep = remainder.indexOf(':');
  const atSep = remainder.indexOf('@');
  const remoteEnd = [tagSep, atSep].filter((i) => i >= 0).reduce((a, b) => Math.min(a, b), remainder.length);
  const remote = remainder.slice(0, remoteEnd);
  if (remote.toLowerCase() !== remote)
    throw invalid(input, `the repository name "${remote}" must be lowercase`);
  const full = `${domain}/${remainder}`;
  const m = REFERENCE_RE.exec(full);
  if (!m) throw invalid(input, 'it does not match the reference grammar');
  const name = m[1]!;
  if (name.length > NAME_TOTAL_LENGTH_MAX)
    throw invalid(input, `the name is longer than ${NAME_TOTAL_LENGTH_MAX} characters`);
  const nm = ANCHORED_NAME_RE.exec(name);
  if (!nm) throw invalid(input, 'it does not match the reference grammar');
  const digest = m[3];
  if (digest !== undefined) {
    const [algorithm, hex = ''] = digest.split(':');
    if (algorithm !== 'sha256')
      throw invalid(input, `digest algorithm "${algorithm}" is not supported (only sha256)`);
    if (!/^[a-f0-9]{64}$/.test(hex)) throw invalid(input, 'a sha256 digest is 64 lowercase hex characters');
  }
  return { registry: nm[1] ?? domain, repository: nm[2]!, tag: m[2], digest };
}

/** Validates a tag on its own (the target of a retag). */
export function assertTag(tag: string): string {
  if (!TAG_RE.test(tag)) {
    throw new RegistryError(
      'INVALID_REFERENCE',
      `"${tag}" is not a valid tag: up to 128 characters of [A-Za-z0-9_.-], not starting with . or -`,
    );
  }
  return tag;
}

/** The canonical string of a reference: registry/repository[:tag][@digest]. */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** What to ask the registry for: the digest when there is one (it cannot move), else the tag. */
export function referenceIdentifier(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** The same repository with another tag (and no digest). */
export function withTag(ref: ImageReference, tag: string): ImageReference {
  return { registry: ref.registry, repository: ref.repository, tag: assertTag(tag), digest: undefined };
}

/** The same repository pinned to a digest (the tag is dropped: the digest is what is meant). */
export function withDigest(ref: ImageReference, digest: string): ImageReference {
  return { registry: ref.registry, repository: ref.repository, tag: undefined, digest };
}

export type ReferenceLike = ImageReference | string;

export function toReference(ref: ReferenceLike): ImageReference {
  return typeof ref === 'string' ? parseReference(ref) : ref;
}

/** Loopback hosts talk plain HTTP without asking (a local registry); everything else needs TLS. */
export function isLoopbackRegistry(registry: string): boolean {
  const hostname = registry.startsWith('[')
    ? registry.slice(1, registry.indexOf(']'))
    : registry.replace(/:\d+$/, '');
  return (
    hostname === 'localhost' ||
    hostname === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
    hostname.endsWith('.localhost')
  );
}
