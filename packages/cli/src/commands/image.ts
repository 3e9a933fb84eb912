import type { ImageReference, RegistryClient, RetagResult } from '@relkit/registry';
import {
  ExitCode,
  UsageError,
  timeoutMs,
  timeoutOption,
  writeJson,
  type CliContext,
  type Command,
  type ParsedArgs,
} from '../command.js';

const connectionOptions = {
  insecure: { type: 'boolean' },
  ...timeoutOption,
  json: { type: 'boolean' },
} as const;

const CONNECTION_HELP = `Connection:
  --insecure        plain HTTP (no TLS) to this registry; loopback hosts (localhost, 127.0.0.1)
                    always use plain HTTP, every other host uses HTTPS unless this is given.
                    Certificates are always checked: trust a private CA with
                    NODE_EXTRA_CA_CERTS=<ca.pem>. HTTP_PROXY, HTTPS_PROXY and NO_PROXY
                    are honoured (loopback is never proxied)
  --timeout <s>     the deadline of each registry operation, retries included (default 60, or
                    RELKIT_TIMEOUT): a registry that never answers fails within it, naming the
                    host; 429/5xx are retried with backoff while it lasts (each attempt: at
                    most 30 s)
  --json            machine-readable output

Credentials come from RELKIT_REGISTRY_USERNAME / RELKIT_REGISTRY_PASSWORD (limited to the
hosts in RELKIT_REGISTRY_HOSTS when set), GITHUB_TOKEN for ghcr.io, then the docker config
($DOCKER_CONFIG/config.json or ~/.docker/config.json: auths, credsStore, credHelpers).`;

// Loaded on first use, so other commands do not pay for the registry client at start-up.
const registry = () => import('@relkit/registry');
type RegistryModule = Awaited<ReturnType<typeof registry>>;

/** The registry's own checks of what the user typed; a refusal is a usage error (exit 2). */
function asUsage<T>(check: () => T): T {
  try {
    return check();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function referenceArg(reg: RegistryModule, value: string | undefined, what: string): ImageReference {
  if (value === undefined) throw new UsageError(`missing ${what}`);
  return asUsage(() => reg.parseReference(value));
}

function clientFor(
  reg: RegistryModule,
  args: ParsedArgs,
  ctx: CliContext,
  ref: ImageReference,
): RegistryClient {
  return new reg.RegistryClient({
    credentials: reg.defaultCredentials(ctx.env),
    proxyEnv: ctx.env,
    insecureRegistries: args.values.insecure ? [ref.registry] : [],
    deadlineMs: timeoutMs(args, ctx.env),
    userAgent: 'release-cli (relkit)',
  });
}

const short = (d: string | undefined) => (d ? `${d.slice(0, 19)}…` : 'nothing');

const digestCommand: Command = {
  path: ['image', 'digest'],
  summary: 'print the digest a tag points to (the index of a multi-arch image, never a platform)',
  usage: 'image digest <ref> [--json] [--insecure] [--timeout S]',
  help: `Examples:
  release-cli image digest ghcr.io/acme/app:1.2.3
  release-cli image digest localhost:5000/acme/app:latest --json

A missing tag exits 1 with [MANIFEST_UNKNOWN]; a registry that could not be asked exits 1 with
[RATE_LIMITED], [UNAVAILABLE], [NETWORK], [TIMEOUT] or [UNAUTHORIZED].

${CONNECTION_HELP}`,
  options: connectionOptions,
  positionals: [1, 1],
  async run(args, ctx) {
    const reg = await registry();
    const ref = referenceArg(reg, args.positionals[0], '<ref>');
    const client = clientFor(reg, args, ctx, ref);
    const head = await client.headManifest(ref, { signal: ctx.signal });
    if (!head) {
      throw new reg.RegistryError(
        'MANIFEST_UNKNOWN',
        `${reg.formatReference(ref)} not found: check the tag, or list tags with your registry's UI`,
      );
    }
    if (args.values.json) {
      writeJson(ctx, {
        reference: reg.formatReference(ref),
        digest: head.digest,
        mediaType: head.mediaType,
        size: head.size,
      });
    } else ctx.stdout(`${head.digest}\n`);
    return ExitCode.ok;
  },
};

function retagJson(reg: RegistryModule, r: RetagResult) {
  return {
    source: reg.formatReference(r.source),
    target: reg.formatReference(r.target),
    digest: r.digest,
    mediaType: r.mediaType,
    changed: r.changed,
    previousDigest: r.previousDigest ?? null,
  };
}

const tagCommand: Command = {
  path: ['image', 'tag'],
  summary: 'point another tag of the same repository at exactly this image (byte-exact, like crane tag)',
  usage: 'image tag <ref> <new-tag> [--json] [--insecure] [--timeout S]',
  help: `The manifest is copied byte for byte, so <new-tag> gets the same digest (the whole
multi-arch index, never one platform). If <new-tag> already points at the digest nothing is
written (immutable-tag registries refuse even a same-digest write); afterwards the tag is read
back and checked. Give <ref> by digest (repo@sha256:…) to be sure of what you tag.

Examples:
  release-cli image tag ghcr.io/acme/app:1.2.3 latest
  release-cli image tag ghcr.io/acme/app@sha256:… latest --json

${CONNECTION_HELP}`,
  options: connectionOptions,
  positionals: [2, 2],
  async run(args, ctx) {
    const reg = await registry();
    const ref = referenceArg(reg, args.positionals[0], '<ref>');
    const tag = asUsage(() => reg.assertTag(args.positionals[1]!));
    const client = clientFor(reg, args, ctx, ref);
    const r = await client.retag(ref, tag, { signal: ctx.signal });
    if (args.values.json) writeJson(ctx, retagJson(reg, r));
    else if (!r.changed)
      ctx.stdout(`${reg.formatReference(r.target)} already at ${r.digest}; nothing written\n`);
    else ctx.stdout(`${reg.formatReference(r.target)} → ${r.digest} (was ${short(r.previousDigest)})\n`);
    return ExitCode.ok;
  },
};

const inspectCommand: Command = {
  path: ['image', 'inspect'],
  summary: 'show an image: digest, media type, platforms with their digests, annotations',
  usage: 'image inspect <ref> [--json] [--insecure] [--timeout S]',
  help: `Examples:
  release-cli image inspect ghcr.io/acme/app:1.2.3
  release-cli image inspect localhost:5000/acme/app:1.2.3 --json

${CONNECTION_HELP}`,
  options: connectionOptions,
  positionals: [1, 1],
  async run(args, ctx) {
    const reg = await registry();
    const ref = referenceArg(reg, args.positionals[0], '<ref>');
    const d = await clientFor(reg, args, ctx, ref).inspect(ref, { signal: ctx.signal });
    if (args.values.json) {
      writeJson(ctx, {
        reference: reg.formatReference(d.reference),
        digest: d.digest,
        mediaType: d.mediaType,
        size: d.size,
        kind: d.kind,
        multiArch: d.kind === 'index',
        platforms: d.platforms.map((p) => ({
          platform: p.platform ? reg.formatPlatform(p.platform) : null,
          os: p.platform?.os ?? null,
          architecture: p.platform?.architecture ?? null,
          variant: p.platform?.variant ?? null,
          digest: p.digest,
          mediaType: p.mediaType,
          size: p.size,
        })),
        annotations: d.annotations,
        artifactType: d.artifactType ?? null,
        subject: d.subject?.digest ?? null,
      });
      return ExitCode.ok;
    }
    const lines = [
      `${reg.formatReference(d.reference)}`,
      `  digest:     ${d.digest}`,
      `  media type: ${d.mediaType} (${d.kind === 'index' ? 'multi-arch' : 'single platform'}, ${d.size} bytes)`,
      `  platforms:`,
      ...d.platforms.map(
        (p) => `    ${(p.platform ? reg.formatPlatform(p.platform) : 'unknown').padEnd(16)} ${p.digest}`,
      ),
    ];
    const ann = Object.entries(d.annotations);
    if (ann.length) lines.push('  annotations:', ...ann.map(([k, v]) => `    ${k}: ${v}`));
    if (d.artifactType) lines.push(`  artifact type: ${d.artifactType}`);
    if (d.subject) lines.push(`  subject: ${d.subject.digest}`);
    ctx.stdout(`${lines.join('\n')}\n`);
    return ExitCode.ok;
  },
};

/** `release-cli image …`: registry reads and the byte-exact retag, straight from @relkit/registry. */
export const imageCommands: readonly Command[] = [digestCommand, tagCommand, inspectCommand];
