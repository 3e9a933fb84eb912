import type { ExecutionResult, GateResult, JournalEntry, Plan, ReleaseStatus } from '@relkit/release-core';
import type { DoctorReport } from '@relkit/connect';
import { shortDigest } from './model.js';

/**
 * Pure text renderings of plans, results and statuses, for the modal confirmation, the dry-run
 * editor tab, notifications and the "Release" output channel. They only print what the engine
 * decided; tokens never reach them (the engine's data holds none).
 */

const GATE_MARK = { pass: '✔', fail: '✘', pending: '…' } as const;

function gateLine(g: GateResult): string {
  return `${GATE_MARK[g.status]} ${g.title}${g.subject ? ` (${g.subject})` : ''}: ${g.reason}`;
}

/** The plan as the modal confirmation's detail text (plain text: modals render no Markdown). */
export function planDetail(plan: Plan): string {
  const todo = plan.steps.filter((s) => !s.done);
  const lines = [`${todo.length} step${todo.length === 1 ? '' : 's'} will run:`];
  for (const [i, s] of todo.entries()) {
    lines.push(`${i + 1}. ${s.description}${s.irreversible ? ' (irreversible)' : ''}`);
  }
  const done = plan.steps.length - todo.length;
  if (done > 0) lines.push(`(${done} already done, skipped)`);
  const notPassing = plan.gates.filter((g) => g.status !== 'pass');
  lines.push(
    '',
    notPassing.length === 0 ? `All ${plan.gates.length} gates pass.` : 'Gates not passing:',
    ...notPassing.map(gateLine),
  );
  return lines.join('\n');
}

/** The plan as a Markdown document for "Release: Dry Run Promote". */
export function planMarkdown(plan: Plan, repository: string): string {
  const verb = { promote: 'Promote', rollback: 'Roll back to', abandon: 'Abandon' }[plan.kind];
  const lines = [
    `# ${verb} ${plan.version} — dry run`,
    '',
    `Repository: \`${repository}\` · gates: **${plan.verdict}** · nothing was changed.`,
    '',
    '## Gates',
    '',
    '| | gate | subject | reason | evidence |',
    '|---|---|---|---|---|',
  ];
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  for (const g of plan.gates) {
    const evidence = g.evidence
      .map((e) => {
        const v = /^sha256:/.test(e.value) ? `\`${shortDigest(e.value)}\`` : cell(e.value);
        return e.url ? `[${v}](${e.url})` : v;
      })
      .join(', ');
    lines.push(
      `| ${GATE_MARK[g.status]} | ${cell(g.title)} | ${g.subject ? `\`${g.subject}\`` : ''} | ${cell(g.reason)} | ${evidence} |`,
    );
  }
  lines.push('', '## Steps', '');
  if (plan.steps.length === 0) lines.push('Nothing to do.');
  for (const [i, s] of plan.steps.entries()) {
    const flags = [
      s.done ? 'already done' : '',
      s.irreversible ? 'irreversible' : '',
      s.bestEffort ? 'best effort' : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(
      `${i + 1}. ${s.done ? '~~' : ''}${s.description}${s.done ? '~~' : ''}${flags ? ` _(${flags})_` : ''}`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

/** The gates that stop a promote, worded for a notification: the first failing one, and how many more. */
export function blockingGates(gates: readonly GateResult[]): string {
  const failing = gates.filter((g) => g.status === 'fail');
  const pending = gates.filter((g) => g.status === 'pending');
  const first = failing[0] ?? pending[0];
  if (!first) return 'every gate passes';
  const more = failing.length + pending.length - 1;
  return `${first.status === 'fail' ? 'gate failed' : 'gate pending'}: ${first.title}${first.subject ? ` (${first.subject})` : ''} — ${first.reason}${more > 0 ? ` (+${more} more)` : ''}`;
}

export function journalLine(e: JournalEntry): string {
  const change = e.before || e.after ? ` [${e.before ?? '∅'} → ${e.after ?? '∅'}]` : '';
  return `${e.at} ${e.status.padEnd(7)} ${e.id}: ${e.message}${change}`;
}

/** The one-line outcome for the notification. */
export function resultSummary(r: ExecutionResult): string {
  const verb = { promote: 'Promoted', rollback: 'Rolled back latest to', abandon: 'Abandoned' }[r.kind];
  if (r.status === 'succeeded') {
    const warnings = r.journal.filter((e) => e.status === 'warning').length;
    return `${verb} ${r.version}${warnings ? ` (${warnings} warning${warnings > 1 ? 's' : ''}; see the Release output)` : ''}.`;
  }
  const failed = r.journal.find((e) => e.status === 'failed');
  const why = r.error ? `${r.error.code}: ${r.error.message}` : (failed?.message ?? 'unknown error');
  return `${r.kind} ${r.version} failed${failed ? ` at "${failed.id}"` : ''}: ${why}`;
}

/** Status as text for "Release: Show Status" (output channel). */
export function statusText(s: ReleaseStatus): string {
  const lines = [
    `${s.version}: ${s.phase}${s.promoteInProgress ? ' (promote interrupted)' : ''} — gates ${s.verdict}${s.promotable ? ', ready to promote' : ''}`,
    ...s.gates.map((g) => `  ${gateLine(g)}`),
  ];
  const todo = s.plan.steps.filter((x) => !x.done);
  if (todo.length > 0 && s.phase !== 'promoted') {
    lines.push('  promote plan:', ...todo.map((x) => `    - ${x.description}`));
  }
  return lines.join('\n');
}

const CHECK_MARK = { pass: '✔', fail: '✘', skip: '–' } as const;

/** "Release: Check Setup" in the output channel: one line per check, the fix under each failure. */
export function doctorLines(r: DoctorReport): string[] {
  return r.checks.flatMap((c) => [
    `${CHECK_MARK[c.status]} ${c.title}: ${c.detail}`,
    ...(c.fix ? [`    fix: ${c.fix}`] : []),
  ]);
}

/** The notification after "Release: Check Setup": how many pass, or the first failure and its fix. */
export function doctorNotification(r: DoctorReport): { level: 'info' | 'warning'; message: string } {
  const failed = r.checks.filter((c) => c.status === 'fail');
  const skipped = r.checks.filter((c) => c.status === 'skip').length;
  const notChecked = skipped ? `, ${skipped} not checked` : '';
  if (failed.length === 0)
    return {
      level: 'info',
      message: `Release setup: ${r.checks.length - skipped} check(s) pass${notChecked}.`,
    };
  const first = failed[0]!;
  return {
    level: 'warning',
    message: `Release setup: ${failed.length} check(s) fail${notChecked}. ${first.title}: ${first.detail}${first.fix ? ` — ${first.fix}` : ''}`,
  };
}
