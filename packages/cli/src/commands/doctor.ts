import { runDoctor, type DoctorCheck, type DoctorReport } from '@relkit/connect';
import { ExitCode, configOption, stringOption, timeoutMs, timeoutOption, type Command } from '../command.js';
import { emitReport } from '../report.js';
import { paint, styleFor, type Style } from '../render.js';
import { waitingFor } from '../waiting.js';

const MARK = { pass: '✓', fail: '✗', skip: '–' } as const;

function renderCheck(c: DoctorCheck, s: Style): string {
  const m = MARK[c.status];
  const mark = c.status === 'pass' ? paint(s, 32, m) : c.status === 'fail' ? paint(s, 31, m) : paint(s, 2, m);
  const fix = c.fix ? `\n    fix: ${c.fix}` : '';
  return `${mark} ${c.title}: ${c.detail}${fix}`;
}

/** ✓ / ✗ / – per check, the fix under each failure, and a one-line verdict. */
export function renderDoctor(r: DoctorReport, s: Style): string {
  const failed = r.checks.filter((c) => c.status === 'fail').length;
  const skipped = r.checks.filter((c) => c.status === 'skip').length;
  const verdict = r.ok
    ? paint(
        s,
        32,
        `ready: ${r.checks.length - skipped} check(s) pass${skipped ? `, ${skipped} not checked` : ''}`,
      )
    : paint(s, 31, `${failed} check(s) fail${skipped ? `, ${skipped} not checked` : ''}`);
  return `${r.checks.map((c) => renderCheck(c, s)).join('\n')}\n${verdict}\n`;
}

const doctor: Command = {
  path: ['doctor'],
  summary: 'check the setup: config, token roles, registry access, signing policy, generated workflows',
  usage: 'doctor [--json] [--action REF] [--timeout S] [--config F]',
  help: `Reads, never writes: the config; each token role the config needs, with the variable its
token came from and what it may do: github (read the repository, list releases with drafts, read
pull requests), commit (push on the repository), smoke (push on the smoke repository, with
"smoke"), packages (list the package versions, for ghcr.io images; delete is not checked: only a
delete would show it) — a role sharing an earlier role's token says "same token as …" and is not
asked twice; the integration branch exists (when it is not the base branch); the registry (pull,
and a push-scope token from its token service); the signing policy (anchored to this repository's
publish workflow); the workflows \`release-cli init\` writes and their action pins.
Options:
  --json          machine-readable checks ({ ok, checks: [{ id, title, status, detail, fix }] });
                  when a check fails, also error: { code: CHECKS_FAILED, message }
  --timeout S     seconds each GitHub or registry probe may take, retries included (default 60,
                  or RELKIT_TIMEOUT)
  --action REF    the relkit action the workflows should use (OWNER/REPO@SHA), to compare its pin
                  too (default: only the other actions' pins are compared)
  -c, --config F  path of release.config.json (default: found upwards from the current directory)
Exit code: 0 when no check fails (a check shown as "not checked" does not fail), 1 otherwise.`,
  options: { ...configOption, json: { type: 'boolean' }, action: { type: 'string' }, ...timeoutOption },
  positionals: [0, 0],
  async run(args, ctx) {
    const report = await waitingFor(
      ctx,
      'GitHub and the registry',
      runDoctor({
        cwd: ctx.cwd,
        configPath: stringOption(args, 'config'),
        env: ctx.env,
        timeoutMs: timeoutMs(args, ctx.env),
        signal: ctx.signal,
        action: stringOption(args, 'action'),
      }),
    );
    const json = args.values.json === true;
    const failed = report.checks.filter((c) => c.status === 'fail');
    emitReport(
      ctx,
      json,
      { command: 'doctor', doctor: report },
      report.ok
        ? undefined
        : {
            code: 'CHECKS_FAILED',
            message: failed.map((c) => `${c.title}: ${c.detail}`).join('; ') || 'a check failed',
          },
    );
    if (!json) ctx.stdout(renderDoctor(report, styleFor(ctx.env, ctx.isTTY)));
    return report.ok ? ExitCode.ok : ExitCode.failed;
  },
};

export const doctorCommands: readonly Command[] = [doctor];
