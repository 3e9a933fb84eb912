#!/usr/bin/env node
// Extracts the part of GitHub's official OpenAPI description that the @relkit/testkit GitHub
// simulator serves, so tests validate every request and response against it without installing
// the 385 MB @octokit/openapi package. Run by hand when the simulator gains an endpoint:
//
//   node tools/github-openapi/generate-subset.mjs [--openapi-dir <dir with node_modules/@octokit/openapi>]
//
// Without --openapi-dir it runs `npm install --prefix <tmp> @octokit/openapi@VERSION` first.
// Output: packages/testkit/src/github/openapi-subset.json (committed; records the source version).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = '23.0.2';
const SPEC_FILE = 'generated/api.github.com.json';

/** Every operation the simulator implements: keep in sync with the handlers in packages/testkit/src/github/simulator.ts. */
export const OPERATIONS = [
  ['get', '/repos/{owner}/{repo}'],
  ['get', '/repos/{owner}/{repo}/releases'],
  ['post', '/repos/{owner}/{repo}/releases'],
  ['get', '/repos/{owner}/{repo}/releases/tags/{tag}'],
  ['get', '/repos/{owner}/{repo}/releases/{release_id}'],
  ['patch', '/repos/{owner}/{repo}/releases/{release_id}'],
  ['delete', '/repos/{owner}/{repo}/releases/{release_id}'],
  ['get', '/repos/{owner}/{repo}/pulls'],
  ['post', '/repos/{owner}/{repo}/pulls'],
  ['get', '/repos/{owner}/{repo}/pulls/{pull_number}'],
  ['patch', '/repos/{owner}/{repo}/pulls/{pull_number}'],
  ['get', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews'],
  ['put', '/repos/{owner}/{repo}/pulls/{pull_number}/merge'],
  ['post', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['get', '/repos/{owner}/{repo}/commits/{ref}/check-runs'],
  ['get', '/repos/{owner}/{repo}/commits/{ref}/statuses'],
  ['get', '/repos/{owner}/{repo}/compare/{basehead}'],
  ['get', '/repos/{owner}/{repo}/git/ref/{ref}'],
  ['get', '/repos/{owner}/{repo}/git/matching-refs/{ref}'],
  ['post', '/repos/{owner}/{repo}/git/refs'],
  ['patch', '/repos/{owner}/{repo}/git/refs/{ref}'],
  ['delete', '/repos/{owner}/{repo}/git/refs/{ref}'],
  ['get', '/repos/{owner}/{repo}/git/commits/{commit_sha}'],
  ['post', '/repos/{owner}/{repo}/git/commits'],
  ['post', '/repos/{owner}/{repo}/git/blobs'],
  ['post', '/repos/{owner}/{repo}/git/trees'],
  ['get', '/repos/{owner}/{repo}/contents/{path}'],
  ['put', '/repos/{owner}/{repo}/contents/{path}'],
  ['post', '/repos/{owner}/{repo}/dispatches'],
  ['get', '/repos/{owner}/{repo}/actions/runs'],
  ['get', '/repos/{owner}/{repo}/attestations/{subject_digest}'],
  ['get', '/orgs/{org}/packages/{package_type}/{package_name}/versions'],
  ['delete', '/orgs/{org}/packages/{package_type}/{package_name}/versions/{package_version_id}'],
  ['get', '/users/{username}/packages/{package_type}/{package_name}/versions'],
  ['delete', '/users/{username}/packages/{package_type}/{package_name}/versions/{package_version_id}'],
];

// Documentation-only keywords: dropped to keep the committed file small. `description` is only
// dropped where it documents (a string), never where it is a property name under `properties`.
const DOC_KEYS = new Set(['description', 'example', 'examples', 'externalDocs', 'x-github', 'x-octokit']);

function strip(node, parentKey) {
  if (Array.isArray(node)) return node.map((n) => strip(n, undefined));
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (parentKey !== 'properties' && DOC_KEYS.has(k) && (k !== 'description' || typeof v === 'string'))
      continue;
    out[k] = strip(v, k);
  }
  return out;
}

function collectRefs(node, found) {
  if (Array.isArray(node)) for (const n of node) collectRefs(n, found);
  else if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') found.add(v);
      else collectRefs(v, found);
    }
}

function resolvePointer(spec, ref) {
  if (!ref.startsWith('#/')) throw new Error(`external $ref not supported: ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((node, key) => {
      if (node === undefined || !(key in node)) throw new Error(`dangling $ref ${ref}`);
      return node[key];
    }, spec);
}

export function extractSubset(spec, operations = OPERATIONS) {
  const paths = {};
  for (const [method, p] of operations) {
    const op = spec.paths[p]?.[method];
    if (!op) throw new Error(`${method.toUpperCase()} ${p} is not in the OpenAPI description`);
    paths[p] ??= {};
    if (spec.paths[p].parameters) paths[p].parameters = strip(spec.paths[p].parameters);
    paths[p][method] = strip(op);
  }
  // Resolve $refs transitively: every component reachable from the kept operations.
  const components = {};
  const seen = new Set();
  const queue = new Set();
  collectRefs(paths, queue);
  while (queue.size > 0) {
    const [ref] = queue;
    queue.delete(ref);
    if (seen.has(ref)) continue;
    seen.add(ref);
    const [, section, kind, name] = ref.split('/');
    if (section !== 'components' || !kind || !name) throw new Error(`unexpected $ref ${ref}`);
    const value = strip(resolvePointer(spec, ref));
    (components[kind] ??= {})[name] = value;
    const inner = new Set();
    collectRefs(value, inner);
    for (const r of inner) if (!seen.has(r)) queue.add(r);
  }
  for (const kind of Object.keys(components))
    components[kind] = Object.fromEntries(
      Object.entries(components[kind]).sort(([a], [b]) => a.localeCompare(b)),
    );
  return {
    openapi: spec.openapi,
    info: { title: 'GitHub REST API: the subset served by the relkit simulator', version: spec.info.version },
    'x-relkit-source': {
      package: '@octokit/openapi',
      version: VERSION,
      file: SPEC_FILE,
      generator: 'tools/github-openapi/generate-subset.mjs',
      operations: operations.length,
    },
    paths,
    components,
  };
}

async function main() {
  const args = process.argv.slice(2);
  const i = args.indexOf('--openapi-dir');
  let dir = i >= 0 ? args[i + 1] : undefined;
  let tmp;
  if (!dir) {
    tmp = mkdtempSync(path.join(tmpdir(), 'relkit-openapi-'));
    console.log(`installing @octokit/openapi@${VERSION} into ${tmp} (about 385 MB)…`);
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        tmp,
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        `@octokit/openapi@${VERSION}`,
      ],
      { stdio: 'inherit' },
    );
    dir = tmp;
  }
  try {
    const pkgDir = path.join(dir, 'node_modules', '@octokit', 'openapi');
    const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    if (pkg.version !== VERSION)
      throw new Error(`expected @octokit/openapi ${VERSION}, found ${pkg.version}`);
    const spec = JSON.parse(readFileSync(path.join(pkgDir, SPEC_FILE), 'utf8'));
    const subset = extractSubset(spec);
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
    const out = path.join(root, 'packages', 'testkit', 'src', 'github', 'openapi-subset.json');
    // Written in the repository's prettier style so `prettier --check .` stays clean.
    const prettier = await import('prettier');
    const style = (await prettier.resolveConfig(out)) ?? {};
    writeFileSync(out, await prettier.format(JSON.stringify(subset, null, 2), { ...style, parser: 'json' }));
    const count = Object.values(subset.components).reduce((n, c) => n + Object.keys(c).length, 0);
    console.log(`wrote ${path.relative(root, out)}: ${OPERATIONS.length} operations, ${count} components`);
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
