// A namespace import, so the bundles (tools/bundle-cli.mjs, the Action's) keep only the parts of
// zod this file uses: `import { z }` is one object holding all of zod, its ~60 locales included.
import * as z from 'zod';
import { ReleaseError } from './errors.js';
import { GITHUB_ACTIONS_ISSUER, identityRegexpProblem } from './identity-policy.js';
import type { ReleaseVersion } from './version.js';

/**
 * release.config.json: what a project releases and what a promote must check. Validated with
 * zod at the edge; the JSON Schema for editors is generated from this same schema
 * (release.config.schema.json in this package).
 */
const imageRef = z
  .string()
  .regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+$/, {
    message: 'expected an image name without tag, e.g. ghcr.io/acme/app',
  });

/**
 * Why `name` cannot be a git ref name (git check-ref-format), or undefined. Branch names and tag
 * prefixes from the config end up in refs, commit messages and URLs: a newline or `..` there
 * must be refused when the config is read, not sent.
 */
export function refNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name.length > 200) return 'is longer than 200 characters';
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  const bad = /[\u0000-\u0020\u007f~^:?*[\\]/.exec(name);
  if (bad) {
    const c = bad[0];
    const shown =
      c === ' '
        ? 'a space'
        : c < ' ' || c === '\u007f'
          ? `a control character (U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`
          : `"${c}"`;
    return `contains ${shown}, which a git ref cannot hold`;
  }
  if (name.includes('..')) return 'contains "..", which a git ref cannot hold';
  if (name.includes('@{') || name === '@') return 'contains "@{", which a git ref cannot hold';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//'))
    return 'has an empty path component (a leading, trailing or double "/")';
  if (name.endsWith('.')) return 'ends with "."';
  const component = name.split('/').find((c) => c.startsWith('.') || c.endsWith('.lock'));
  if (component !== undefined)
    return `has a component "${component}" that starts with "." or ends with ".lock"`;
  return undefined;
}

const branchName = z
  .string()
  .min(1)
  .superRefine((name, ctx) => {
    const problem = name === '' ? undefined : refNameProblem(name); // min(1) says it
    if (problem) ctx.addIssue({ code: 'custom', message: `not a valid branch name: ${problem}` });
  });

const platform = z.string().regex(/^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/, {
  message: 'expected os/arch[/variant], e.g. linux/amd64',
});

const provenanceSchema = z
  .object({
    enabled: z
      .boolean()
      .optional()
      .describe(
        "check what the image was built from (the signing certificate's source commit, ref, workflow and runner); on by default when the issuer is GitHub Actions' and signing is keyless",
      ),
    signerWorkflow: z
      .string()
      .regex(/^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\/)?[^/@\s.][^/@\s]*\/[^/@\s]+\/[^@\s]*[^/@\s]$/, {
        message: 'expected [HOST/]OWNER/REPO/PATH, e.g. acme/app/.github/workflows/release.yml',
      })
      .optional()
      .describe(
        'the workflow that must have built and signed, [HOST/]OWNER/REPO/PATH (host github.com by default): the build signer URI without its @ref, exactly',
      ),
    allowSelfHostedRunners: z
      .boolean()
      .default(false)
      .describe('accept images built on self-hosted runners (GitHub-hosted only by default)'),
  })
  .strict();

export const signingPolicySchema = z
  .object({
    issuer: z.string().url().describe('OIDC issuer of the signing certificate, matched exactly'),
    identity: z.string().min(1).optional().describe('exact certificate identity (SAN)'),
    identityRegexp: z
      .string()
      .min(1)
      .optional()
      .describe(
        'regexp for the certificate identity; always anchored (^…$); must begin with https://github\\.com/OWNER/REPO/ of the repository or a trusted signer',
      ),
    identities: z
      .array(
        z
          .object({
            identity: z.string().min(1).optional(),
            identityRegexp: z.string().min(1).optional(),
          })
          .strict()
          .refine((i) => (i.identity === undefined) !== (i.identityRegexp === undefined), {
            message: 'set exactly one of identity or identityRegexp',
          }),
      )
      .optional()
      .describe(
        'further identities accepted beside identity / identityRegexp (e.g. the workflow that signed before a migration), so older versions still verify; each regexp is pinned like identityRegexp',
      ),
    trustedSigners: z
      .array(z.string().regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, { message: 'expected OWNER/REPO' }))
      .optional()
      .describe('other repositories whose workflows may sign (e.g. a shared release workflow)'),
    key: z.string().optional().describe('path to a PEM public key, for keyed signing'),
    trustedRoot: z
      .string()
      .optional()
      .describe('path to a trusted_root.json; the public-good root by default'),
    requireAttestations: z.array(z.enum(['slsa', 'sbom'])).default([]),
    verifyPlatforms: z
      .boolean()
      .default(false)
      .describe('also require a valid signature on every platform manifest, not just the index'),
    provenance: provenanceSchema
      .optional()
      .describe(
        'the image-provenance gate: built from the commit of the version tag, on the release branch or the tag',
      ),
  })
  .strict()
  .refine(
    (p) =>
      (p.identity === undefined) !== (p.identityRegexp === undefined) ||
      p.key !== undefined ||
      (p.identity === undefined && p.identityRegexp === undefined && (p.identities?.length ?? 0) > 0),
    {
      message: 'set exactly one of identity or identityRegexp (or identities, or a key for keyed signing)',
    },
  );

const versionFileSchema = z
  .object({
    path: z.string().min(1),
    pattern: z
      .string()
      .min(1)
      .refine((p) => versionPatternProblem(p) === undefined, {
        message:
          'expected a valid regexp with one capture group (the version), e.g. "devkit:(\\d+\\.\\d+\\.\\d+)"',
      })
      .describe('a regexp (multi-line) whose first capture group is replaced by X.Y.Z'),
  })
  .strict();

/** Why a version-file pattern is unusable, or undefined: it must compile and capture. */
export function versionPatternProblem(pattern: string): string | undefined {
  try {
    const groups = (new RegExp(`${pattern}|`).exec('')?.length ?? 1) - 1;
    return groups >= 1 ? undefined : 'has no capture group';
  } catch (e) {
    return (e as Error).message;
  }
}

// What the release PR must show on its current head commit before promote merges it: an
// approval given on an older commit (before a later push) does not count unless accepted here.
const pullRequestPolicySchema = z
  .object({
    requiredChecks: z
      .array(z.string().min(1))
      .optional()
      .describe(
        'check names whose latest run on the head must succeed; unset: at least one check, all green',
      ),
    acceptStaleApprovals: z
      .boolean()
      .default(false)
      .describe('count an approval given on an older commit of the PR (off: only on the current head)'),
  })
  .strict()
  .default({ acceptStaleApprovals: false })
  .describe('what the release PR must show on its head commit');

export const releaseConfigSchema = z
  .object({
    $schema: z.string().optional(),
    repository: z
      .string()
      .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, { message: 'expected OWNER/REPO' })
      .describe('the GitHub repository that is released'),
    tagPrefix: z
      .string()
      .max(20)
      .superRefine((prefix, ctx) => {
        // The prefix is only ever seen before a version: the tag it makes must be a valid ref.
        const problem = refNameProblem(`${prefix}1.2.3`);
        if (problem)
          ctx.addIssue({ code: 'custom', message: `not a valid tag prefix: ${prefix}1.2.3 ${problem}` });
      })
      .default('')
      .describe('prefix of version tags, e.g. "v"'),
    baseBranch: branchName.default('main'),
    integrationBranch: branchName
      .optional()
      .describe(
        'the branch work is integrated on and releases are cut from (gitflow: "dev"); default: baseBranch',
      ),
    syncIntegrationBranch: z
      .boolean()
      .default(true)
      .describe(
        'after promote merges the release PR, bring integrationBranch up to date with baseBranch (fast-forward, else a sync PR); only when they differ',
      ),
    releaseBranch: z
      .string()
      .includes('{version}', { message: 'must contain {version}' })
      .superRefine((pattern, ctx) => {
        if (!pattern.includes('{version}')) return;
        const name = pattern.replaceAll('{version}', '1.2.3-rc1');
        const problem = refNameProblem(name);
        if (problem) ctx.addIssue({ code: 'custom', message: `not a valid branch name: ${name} ${problem}` });
      })
      .default('release/{version}'),
    images: z
      .array(
        z
          .object({
            name: imageRef,
            platforms: z.array(platform).min(1).default(['linux/amd64', 'linux/arm64']),
          })
          .strict(),
      )
      .default([])
      .describe('images whose `latest` a promote moves; empty for projects without images'),
    signing: signingPolicySchema.optional(),
    smoke: z
      .object({
        repository: z.string().regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, { message: 'expected OWNER/REPO' }),
        success: z.enum(['published', 'prerelease', 'either']).default('published'),
      })
      .strict()
      .optional()
      .describe('downstream smoke test: a release for the same tag in this repository'),
    merge: z
      .object({
        // Unset: the first of merge, squash, rebase the repository allows (GitHub answers 405
        // for a method it does not); set: insist on it, refused clearly if not allowed.
        method: z.enum(['merge', 'squash', 'rebase']).optional(),
      })
      .strict()
      .default({})
      .describe('how the release PR is merged; default: the first method the repository allows'),
    requireApproval: z.boolean().default(true),
    pullRequest: pullRequestPolicySchema,
    floatingTags: z.boolean().default(false).describe('also move X and X.Y image tags at promote'),
    cleanupCandidates: z
      .boolean()
      .default(false)
      .describe('best-effort removal of RC image tags after promote'),
    cleanup: z
      .object({
        // ghcr.io answers an OCI manifest DELETE with 405 UNSUPPORTED: there, package versions are
        // deleted through the GitHub Packages API. 'auto' picks that for ghcr.io images.
        via: z
          .enum(['auto', 'packages-api', 'registry'])
          .default('auto')
          .describe(
            'how RC images are deleted: the GitHub Packages API (ghcr.io), an OCI manifest DELETE, or auto (packages-api for ghcr.io)',
          ),
        gitTags: z
          .boolean()
          .default(false)
          .describe('release-cli cleanup also deletes the RC git tags (X.Y.Z-rcN) that have no release'),
        draftReleases: z
          .boolean()
          .default(false)
          .describe('release-cli cleanup also deletes the RC draft pre-releases (X.Y.Z-rcN)'),
      })
      .strict()
      .default({ via: 'auto', gitTags: false, draftReleases: false })
      .describe('release-candidate clean-up (release-cli cleanup, and promote with cleanupCandidates)'),
    changelog: z
      .union([
        z.string(),
        z
          .object({
            path: z.string().min(1).default('CHANGELOG.md'),
            mirrors: z
              .array(z.string().min(1))
              .default([])
              .describe(
                'paths that get an exact copy of the finalized CHANGELOG (e.g. one shipped in the image)',
              ),
          })
          .strict(),
      ])
      .default('CHANGELOG.md')
      .describe('the CHANGELOG path, or { path, mirrors } when copies of it are committed too'),
    changelogMirrors: z
      .array(z.string().min(1))
      .optional()
      .describe('the same as changelog.mirrors (a parsed config carries its mirrors here)'),
    versionFiles: z
      .array(versionFileSchema)
      .default([])
      .describe('files whose version line finalize sets to X.Y.Z, in the same commit as the CHANGELOG'),
    registries: z
      .object({ insecure: z.array(z.string()).default([]) })
      .strict()
      .default({ insecure: [] }),
  })
  .strict()
  .superRefine((config, ctx) => {
    // A fork's workflow must not be able to sign: the identity regexp pins owner/repo (identity-policy.ts).
    const signing = config.signing;
    if (!signing) return;
    const pinning = {
      repository: config.repository,
      trustedSigners: signing.trustedSigners,
      issuer: signing.issuer,
    };
    const regexps: [string, PropertyKey[]][] = [
      ...(signing.identityRegexp === undefined
        ? []
        : [[signing.identityRegexp, ['signing', 'identityRegexp']] as [string, PropertyKey[]]]),
      ...(signing.identities ?? []).flatMap((i, n): [string, PropertyKey[]][] =>
        i.identityRegexp === undefined
          ? []
          : [[i.identityRegexp, ['signing', 'identities', n, 'identityRegexp']]],
      ),
    ];
    for (const [regexp, path] of regexps) {
      const problem = identityRegexpProblem(regexp, pinning);
      if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
    }
  })
  // `changelog` may be a path or { path, mirrors }: consumers see the path and the mirrors apart.
  // A parsed config parses again to itself (front ends re-parse edited configs).
  .transform(({ changelog, changelogMirrors, integrationBranch, ...rest }) => ({
    ...rest,
    integrationBranch: integrationBranch ?? rest.baseBranch,
    changelog: typeof changelog === 'string' ? changelog : changelog.path,
    changelogMirrors: [
      ...new Set([...(changelogMirrors ?? []), ...(typeof changelog === 'string' ? [] : changelog.mirrors)]),
    ],
  }));

export type PullRequestPolicy = z.output<typeof pullRequestPolicySchema>;

export type ReleaseConfig = z.output<typeof releaseConfigSchema>;
export type ReleaseConfigInput = z.input<typeof releaseConfigSchema>;
export type SigningPolicy = z.output<typeof signingPolicySchema>;
export type VersionFile = z.output<typeof versionFileSchema>;

export type ProvenanceConfig = z.output<typeof provenanceSchema>;

/** The provenance rule a promote applies, or undefined when the image-provenance gate is off. */
export interface ProvenanceRule {
  /** `[HOST/]OWNER/REPO/PATH` as configured, when pinned. */
  readonly signerWorkflow?: string | undefined;
  readonly allowSelfHostedRunners: boolean;
}

/**
 * Whether (and how) promote checks provenance: as configured, else on for keyless signing by
 * GitHub Actions (the only issuer whose certificates are known to carry the build facts).
 */
export function provenanceRule(signing: SigningPolicy | undefined): ProvenanceRule | undefined {
  if (!signing) return undefined;
  const p = signing.provenance;
  const on = p?.enabled ?? (signing.issuer === GITHUB_ACTIONS_ISSUER && signing.key === undefined);
  if (!on) return undefined;
  return { signerWorkflow: p?.signerWorkflow, allowSelfHostedRunners: p?.allowSelfHostedRunners ?? false };
}

/** Parses a config object; errors name the JSON path of every problem. */
export function parseConfig(input: unknown, source = 'release.config.json'): ReleaseConfig {
  // jitless: zod otherwise compiles a parser per object schema (new Function) on the first parse,
  // which costs more than it saves for the one config a process reads (same result either way).
  const r = releaseConfigSchema.safeParse(input, { jitless: true });
  if (r.success) {
    if (r.data.images.length > 0 && !r.data.signing) {
      throw new ReleaseError(
        'INVALID_CONFIG',
        `${source}: "signing" is required when images are configured (promote refuses unverified images)`,
      );
    }
    return r.data;
  }
  const problems = r.error.issues.map((i) => `  at ${formatPath(i.path)}: ${i.message}`);
  throw new ReleaseError('INVALID_CONFIG', `${source} is not valid:\n${problems.join('\n')}`, {
    details: { issues: r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) },
  });
}

/** Parses config text (JSON), with the position of a syntax error. */
export function parseConfigText(text: string, source = 'release.config.json'): ReleaseConfig {
  // Editors on Windows save a BOM; JSON.parse refuses it as an unexpected token.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    throw new ReleaseError('INVALID_CONFIG', `${source} is not valid JSON: ${(e as Error).message}`, {
      cause: e,
    });
  }
  // JSON.parse keeps the last of two equal keys: a reviewer reading the first would be misled.
  const duplicate = duplicateKey(body);
  if (duplicate) {
    const message = `duplicate key "${duplicate.key}" (JSON keeps only the last one; remove the other)`;
    throw new ReleaseError('INVALID_CONFIG', `${source} is not valid:\n  at ${duplicate.path}: ${message}`, {
      details: { issues: [{ path: duplicate.path, message }] },
    });
  }
  return parseConfig(json, source);
}

/** The first key an object of valid JSON text repeats, and the JSON path of that object. */
function duplicateKey(text: string): { path: string; key: string } | undefined {
  interface Frame {
    readonly path: string;
    readonly keys?: Set<string>; // set for an object, unset for an array
    expectKey: boolean;
    key: string;
    index: number;
  }
  const stack: Frame[] = [];
  const childPath = (f: Frame | undefined) =>
    f === undefined ? '$' : f.keys ? `${f.path}.${f.key}` : `${f.path}[${f.index}]`;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '{' || c === '[') {
      stack.push({
        path: childPath(top),
        keys: c === '{' ? new Set() : undefined,
        expectKey: c === '{',
        key: '',
        index: 0,
      });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',' && top) {
      if (top.keys) top.expectKey = true;
      else top.index++;
    } else if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return { path: top.path, key };
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = end;
    }
  }
  return undefined;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '$';
  return `$${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`;
}

/** The JSON Schema editors use for release.config.json. */
export function releaseConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(releaseConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}

/** Whether this is a gitflow setup: releases are cut from an integration branch other than the base. */
export function isGitflow(config: ReleaseConfig): boolean {
  return config.integrationBranch !== config.baseBranch;
}

export function releaseBranchName(config: ReleaseConfig, version: ReleaseVersion | string): string {
  return config.releaseBranch.replaceAll('{version}', String(version));
}
