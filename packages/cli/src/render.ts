import { hostname } from 'node:os';
import { printableHolder } from '@relkit/release-core';
import type {
  ExecutionEvent,
  ExecutionResult,
  GateResult,
  Plan,
  PrepareExecutionEvent,
  PublishExecutionEvent,
  ReleaseStatus,
} from '@relkit/release-core';

/** Terminal styling; everything degrades to plain text when color is off. */
export interface Style {
  readonly color: boolean;
}

export function styleFor(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): Style {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return { color: isTTY && !noColor && env.TERM !== 'dumb' };
}

export const paint = (s: Style, code: number, text: string) =>
  s.color ? `\x1b[${code}m${text}\x1b[0m` : text;
const green = (s: Style, t: string) => paint(s, 32, t);
const red = (s: Style, t: string) => paint(s, 31, t);
const yellow = (s: Style, t: string) => paint(s, 33, t);
const dim = (s: Style, t: string) => paint(s, 2, t);
const bold = (s: Style, t: string) => paint(s, 1, t);

export const GATE_MARK = { pass: '✓', fail: '✗', pending: '…' } as const;

/** ✓ ✗ … for pass / fail / pending, colored when color is on. */
export function mark(s: Style, status: GateResult['status']): string {
  const m = GATE_MARK[status];
  return status === 'pass' ? green(s, m) : status === 'fail' ? red(s, m) : yellow(s, m);
}

const shortDigest = (v: string) => (/^sha256:[a-f0-9]{64}$/.test(v) ? `${v.slice(0, 19)}…` : v);

const PHASE_ORDER = ['prepared', 'candidate', 'finalized', 'published', 'smoke-passed', 'promoted'] as const;

/** The one word after the phase: what the release waits for (nothing once it is settled). */
function outlook(st: ReleaseStatus, s: Style): string {
  const promote = st.actions.promote;
  switch (st.phase) {
    case 'promoted':
    case 'superseded':
    case 'abandoned':
      return '';
    case 'rolled-back':
      return promote.allowed ? green(s, 'ready to roll forward') : yellow(s, 'latest rolled back');
    default:
      return promote.allowed
        ? green(s, 'ready to promote')
        : st.verdict === 'pending'
          ? yellow(s, 'waiting')
          : red(s, 'blocked');
  }
}

/** The status tree: phases, the actions core offers, then gates with their evidence. */
export function renderStatus(st: ReleaseStatus, s: Style): string {
  const lines: string[] = [];
  const word = outlook(st, s);
  lines.push(`${bold(s, `release ${st.version}`)}  phase: ${bold(s, st.phase)}${word ? `  ${word}` : ''}`);
  if (st.promoteInProgress)
    lines.push(yellow(s, '  a promote was interrupted; `release-cli promote` resumes it'));
  const afterPromote = st.phase === 'superseded' || st.phase === 'rolled-back';
  const reached = afterPromote
    ? PHASE_ORDER.length - 1
    : PHASE_ORDER.indexOf(st.phase as (typeof PHASE_ORDER)[number]);
  lines.push('├─ phases');
  PHASE_ORDER.forEach((p, i) => {
    const m = st.phase === 'abandoned' ? dim(s, '·') : i <= reached ? green(s, '✓') : dim(s, '·');
    const end = i === PHASE_ORDER.length - 1 && !afterPromote;
    lines.push(`│  ${end ? '└' : '├'}─ ${m} ${p}`);
  });
  if (st.phase === 'superseded')
    lines.push(`│  └─ ${dim(s, '↷')} superseded: latest moved on to a newer version`);
  if (st.phase === 'rolled-back')
    lines.push(`│  └─ ${yellow(s, '↺')} rolled back: latest names an older version`);
  if (st.phase === 'abandoned') lines.push(`│  ${red(s, '✗')} abandoned`);
  const offered = (
    [
      ['promote', st.actions.promote],
      ['rollback', st.actions.rollback],
      ['abandon', st.actions.abandon],
    ] as const
  ).filter(([, a]) => a.allowed);
  if (offered.length > 0) {
    lines.push('├─ next');
    offered.forEach(([name, a], i) => {
      const what = name === 'promote' && st.actions.promote.rollForward ? 'promote (roll forward)' : name;
      lines.push(`│  ${i === offered.length - 1 ? '└' : '├'}─ ${what}: ${a.reason}`);
    });
  }
  lines.push(`└─ gates (${st.gates.filter((g) => g.status === 'pass').length}/${st.gates.length} pass)`);
  st.gates.forEach((g, i) => {
    const last = i === st.gates.length - 1;
    const subject = g.subject ? dim(s, ` [${g.subject}]`) : '';
    lines.push(`   ${last ? '└' : '├'}─ ${mark(s, g.status)} ${g.title}${subject}: ${g.reason}`);
    for (const e of g.evidence.slice(0, 4)) {
      lines.push(
        `   ${last ? ' ' : '│'}     ${dim(s, `${e.label}: ${shortDigest(e.value)}${e.url ? ` <${e.url}>` : ''}`)}`,
      );
    }
  });
  return `${lines.join('\n')}\n`;
}

export function renderPlan(plan: Plan, s: Style): string {
  const lines = [`${bold(s, `${plan.kind} ${plan.version}`)}: ${plan.steps.length} step(s)`];
  plan.steps.forEach((p, i) => {
    const flags = [p.irreversible ? 'irreversible' : '', p.bestEffort ? 'best effort' : '']
      .filter(Boolean)
      .join(', ');
    const state = p.done ? dim(s, ' (already done)') : '';
    lines.push(`  ${i + 1}. ${p.description}${flags ? dim(s, ` [${flags}]`) : ''}${state}`);
  });
  if (plan.steps.length === 0) lines.push('  nothing to do');
  return `${lines.join('\n')}\n`;
}

/** A publish or prepare plan's gate lines, then its numbered steps ("nothing to do" when none). */
export function renderGatesAndSteps(
  gates: readonly Pick<GateResult, 'status' | 'title' | 'reason'>[],
  steps: readonly { readonly description: string; readonly done?: boolean }[],
  s: Style,
): string[] {
  const lines = gates.map((g) => `  ${mark(s, g.status)} ${g.title}: ${g.reason}`);
  lines.push(`${steps.length} step(s):`);
  steps.forEach((p, i) =>
    lines.push(`  ${i + 1}. ${p.description}${p.done ? dim(s, ' (already done)') : ''}`),
  );
  if (steps.length === 0) lines.push('  nothing to do');
  return lines;
}

/**
 * One plain line per event of any plan the engine runs (promote, rollback, abandon, publish,
 * prepare): readable in CI logs, and redrawn in place on a TTY by the caller.
 */
export function renderEvent(
  e: ExecutionEvent | PublishExecutionEvent | PrepareExecutionEvent,
  s: Style,
): string | undefined {
  switch (e.type) {
    case 'lock-acquired':
      // The holder is this run: say whose name other runs will see, not who "took" it.
      return dim(s, `lock taken (holder: ${e.holder})`);
    case 'lock-released':
      return undefined;
    case 'step-started':
      return `[${e.index + 1}/${e.total}] ${e.step.description} …`;
    case 'step-skipped':
      return `  ${dim(s, '↷ already done')}`;
    case 'step-succeeded':
      return `  ${green(s, '✓')} ${e.entry.message}`;
    case 'step-warning':
      return `  ${yellow(s, '!')} ${e.entry.message} (best effort, continuing)`;
    case 'step-failed':
      return `  ${red(s, '✗')} ${e.entry.message}`;
  }
}

export function renderResult(r: ExecutionResult, s: Style): string {
  const done = r.journal.filter((j) => j.status === 'done').length;
  const skipped = r.journal.filter((j) => j.status === 'skipped').length;
  const warned = r.journal.filter((j) => j.status === 'warning').length;
  const head =
    r.status === 'succeeded'
      ? green(s, `${r.kind} ${r.version} done`)
      : red(s, `${r.kind} ${r.version} failed: ${r.error?.message ?? ''}`);
  const lines = [
    `${head} — ${done} step(s) done, ${skipped} already done${warned ? `, ${warned} warning(s)` : ''}`,
  ];
  for (const j of r.journal.filter((x) => x.before !== undefined || x.after !== undefined)) {
    lines.push(dim(s, `  journal: ${j.id}: ${j.before ?? '∅'} → ${j.after ?? '∅'}`));
  }
  if (r.status === 'failed')
    lines.push('Run the same command again to resume: steps already done are skipped.');
  return `${lines.join('\n')}\n`;
}

/**
 * Who holds the release lock, as another run will see it, and the identity `unlock` frees
 * without --force: user@host on a machine, the actor and run id in Actions (the same across
 * re-run attempts). Two runs of one identity are still told apart by the lock's run token.
 * Printable and bounded ($USER and the host name are anyone's to set; core filters again when
 * it writes and when it reads).
 */
export function lockHolder(env: Readonly<Record<string, string | undefined>>): string {
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_RUN_ID) {
    return printableHolder(`${env.GITHUB_ACTOR ?? 'actions'} (run ${env.GITHUB_RUN_ID})`);
  }
  return printableHolder(`${env.USER ?? env.USERNAME ?? 'someone'}@${hostname()}`);
}
