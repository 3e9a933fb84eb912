// release-cli cleanup: the RC clean-up after a promote. The decisions are core's (cleanup/);
// this renders the report — what goes, and why each RC-related version stays — and asks.
import type { CleanupReport, CleanupService } from '@relkit/release-core';
import { connectCleanup } from '@relkit/connect';
import {
  ExitCode,
  UsageError,
  configOption,
  connectOptions,
  timeoutOption,
  versionArgument,
  type CliContext,
  type Command,
  type ParsedArgs,
} from '../command.js';
import { emitReport } from '../report.js';
import { waitingFor } from '../waiting.js';

async function service(args: ParsedArgs, ctx: CliContext): Promise<CleanupService> {
  const connect = ctx.connectCleanup ?? connectCleanup;
  return connect(connectOptions(args, ctx));
}

const short = (d: string) => d.replace(/^sha256:/, '').slice(0, 12);

/** The report as text: per image its route, the versions that go and those kept with why. */
export function renderCleanup(r: CleanupReport): string {
  const lines: string[] = [];
  const verb = r.dryRun ? 'would delete' : 'deleted';
  for (const i of r.images) {
    lines.push(`${i.image} (${i.route === 'packages-api' ? 'GitHub Packages API' : 'OCI registry API'})`);
    if (i.error) {
      lines.push(`  ✗ ${i.error.code}: ${i.error.message}`);
      continue;
    }
    if (i.delete.length === 0) lines.push('  no RC versions to delete');
    for (const d of i.delete) {
      const done = r.dryRun || i.deleted.includes(d.version.id) || i.deleted.includes(d.version.digest);
      lines.push(
        `  ${done ? (r.dryRun ? '-' : '✓') : '✗'} ${verb} ${i.route === 'packages-api' ? `version ${d.version.id} ` : ''}${short(d.version.digest)}: ${d.reason}`,
      );
    }
    // Versions unrelated to this release are counted, not listed (a package may hold hundreds).
    const unrelated = (reason: string) => /^(not an RC|untagged)/.test(reason);
    for (const k of i.keep)
      if (!unrelated(k.reason)) lines.push(`  = keep ${short(k.version.digest)}: ${k.reason}`);
    const others = i.keep.filter((k) => unrelated(k.reason)).length;
    if (others > 0) lines.push(`  = keep ${others} other version(s): not RCs of ${r.version} (see --json)`);
    for (const f of i.failures) lines.push(`  ✗ ${f.subject}: ${f.code}: ${f.message}`);
  }
  for (const x of r.refs) {
    const what = x.kind === 'draft-release' ? 'draft pre-release' : 'git tag';
    const mark = x.action === 'keep' ? '=' : x.error ? '✗' : r.dryRun ? '-' : '✓';
    const act = x.action === 'keep' ? 'keep' : r.dryRun ? 'would delete' : 'deleted';
    lines.push(`${mark} ${act} ${what} ${x.tag}: ${x.error ? x.error.message : x.reason}`);
  }
  lines.push(
    r.dryRun
      ? 'dry run: nothing was deleted'
      : r.status === 'succeeded'
        ? 'clean-up complete'
        : 'clean-up incomplete: see ✗ above',
  );
  return `${lines.join('\n')}\n`;
}

const cleanup: Command = {
  path: ['cleanup'],
  summary: 'delete the RC images of a promoted version (GitHub Packages API on ghcr.io)',
  usage: 'cleanup <version> [--dry-run] [--yes] [--json] [--timeout S] [--config F]',
  help: `Deletes the release-candidate images of X.Y.Z (tags X.Y.Z-rcN, their platform manifests
and signatures) except any version whose digest is X.Y.Z's or latest's, or a platform manifest of
those. ghcr.io refuses an OCI manifest DELETE (405 UNSUPPORTED), so for ghcr.io images the package
versions are deleted through the GitHub Packages API (config cleanup.via: auto | packages-api |
registry). With cleanup.draftReleases / cleanup.gitTags it also deletes RC draft pre-releases and
RC git tags without a release.
Token: the Packages API uses RELKIT_REGISTRY_PASSWORD, else GITHUB_TOKEN, else the github token;
it needs packages: write with Admin on the package (classic token: delete:packages, read:packages).
Options:
  --dry-run       list what would be deleted and why each RC-related version is kept
  --yes           delete without a confirmation prompt (needed outside a terminal)
  --json          machine-readable report
  --timeout S     deadline of each network operation in seconds (default 60, or RELKIT_TIMEOUT)
  -c, --config F  path of release.config.json
Exit code: 0 when everything selected was deleted (or a dry run), 1 otherwise.`,
  options: {
    ...configOption,
    ...timeoutOption,
    json: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
  },
  positionals: [1, 1],
  async run(args, ctx) {
    const version = versionArgument(args.positionals[0]!, { final: true });
    const json = args.values.json === true;
    const svc = await service(args, ctx);
    const run = (dryRun: boolean) =>
      waitingFor(ctx, 'the registry and GitHub', svc.cleanup(version, { dryRun, signal: ctx.signal }));
    if (args.values['dry-run'] || !args.values.yes) {
      const preview = await run(true);
      if (!json) ctx.stdout(renderCleanup(preview));
      if (args.values['dry-run']) {
        emitReport(ctx, json, { command: 'cleanup', dryRun: true, report: preview });
        return preview.status === 'succeeded' ? ExitCode.ok : ExitCode.failed;
      }
      const count =
        preview.images.reduce((n, i) => n + i.delete.length, 0) +
        preview.refs.filter((r) => r.action === 'delete').length;
      if (count === 0) {
        emitReport(ctx, json, { command: 'cleanup', report: preview });
        return preview.status === 'succeeded' ? ExitCode.ok : ExitCode.failed;
      }
      if (!ctx.isTTY || !ctx.prompt)
        throw new UsageError('not a terminal: pass --yes to delete without a confirmation prompt');
      const answer = await ctx.prompt(`delete these ${count} RC version(s)? [y/N] `);
      if (!/^y(es)?$/i.test(answer.trim())) {
        ctx.stderr('nothing was deleted\n');
        return ExitCode.failed;
      }
    }
    const report = await run(false);
    if (!json) ctx.stdout(renderCleanup(report));
    emitReport(ctx, json, { command: 'cleanup', report });
    return report.status === 'succeeded' ? ExitCode.ok : ExitCode.failed;
  },
};

export const cleanupCommands: readonly Command[] = [cleanup];
