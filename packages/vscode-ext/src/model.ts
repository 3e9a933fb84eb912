import {
  parseTag,
  type Evidence,
  type GateResult,
  type Phase,
  type PlannedStep,
  type ReleaseStatus,
} from '@relkit/release-core';
import { stateIcon, type NodeState } from './icons.js';
import type { ReleaseEntry, StoreSnapshot } from './store.js';

/**
 * The view model: plain data for one tree node. `toNodes` builds these from what the store holds,
 * as a pure function, so everything the Releases view shows is unit-tested without VS Code; the
 * TreeDataProvider only turns them into vscode.TreeItems.
 */
export interface ViewNode {
  readonly id: string;
  readonly kind: 'version' | 'phase' | 'gate' | 'evidence' | 'plan' | 'step' | 'state' | 'error';
  readonly label: string;
  readonly description?: string | undefined;
  /** Markdown. */
  readonly tooltip?: string | undefined;
  readonly icon: { readonly id: string; readonly color?: string | undefined };
  /**
   * Space-separated capability tokens for `viewItem =~ /\btoken\b/` menu conditions, e.g.
   * "version final promotable has-url".
   */
  readonly contextValue: string;
  /** undefined: a leaf; otherwise whether it starts expanded. */
  readonly expanded?: boolean | undefined;
  readonly children: readonly ViewNode[];
  readonly version?: string | undefined;
  /** What "Open in Browser" opens. */
  readonly url?: string | undefined;
  /** What "Copy Digest" copies. */
  readonly digest?: string | undefined;
  /** Run on click (state nodes: sign in, open config, show output). */
  readonly command?: { readonly id: string; readonly title: string } | undefined;
}

export type ShowReleases = 'active' | 'all';

export interface ViewOptions {
  readonly show: ShowReleases;
  /** Untrusted workspaces get no promote/rollback/abandon tokens. */
  readonly trusted: boolean;
}

const PHASE_ICON: Record<Phase, { id: string; color?: string }> = {
  unknown: { id: 'question' },
  prepared: { id: 'git-pull-request' },
  candidate: { id: 'beaker' },
  finalized: { id: 'tag' },
  published: { id: 'package' },
  'smoke-passed': { id: 'verified' },
  promoted: { id: 'star-full', color: 'testing.iconPassed' },
  superseded: { id: 'history' },
  'rolled-back': { id: 'discard', color: 'problemsWarningIcon.foreground' },
  abandoned: { id: 'circle-slash', color: 'disabledForeground' },
};

const PHASE_TEXT: Record<Phase, string> = {
  unknown: 'nothing found for this version yet',
  prepared: 'release branch / PR open, nothing built yet',
  candidate: 'a release candidate tag exists',
  finalized: 'the version tag exists',
  published: 'images and draft release exist; `latest` untouched',
  'smoke-passed': 'the downstream smoke test passed',
  promoted: '`latest` points here and the release is published',
  superseded: 'published; `latest` has moved on to a newer version',
  'rolled-back': 'published; `latest` was rolled back to an older version (promote again to roll forward)',
  abandoned: 'the PR was closed unmerged; nothing was published',
};

export const shortDigest = (d: string): string => d.replace(/^sha256:/, '').slice(0, 12);
const isDigest = (v: string): boolean => /^sha256:[0-9a-f]{64}$/.test(v);

/** Markdown-escapes text that comes from the outside (release titles, check names). */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

const link = (text: string, url: string | undefined): string =>
  url && /^https?:\/\//.test(url) ? `[${md(text)}](${url})` : md(text);

/** Phases after which nothing is left to do for a release: no gate counts, no plan to show. */
export const SETTLED: ReadonlySet<Phase> = new Set<Phase>(['promoted', 'superseded', 'abandoned']);

/**
 * What "active" keeps, newest first: versions in flight (newer than the one `latest` names,
 * rolled-back ones included), that one, and the release latest would roll back to; never
 * abandoned ones. The same versions stay listed before and after a promote or a rollback.
 */
export function visibleReleases(entries: readonly ReleaseEntry[], show: ShowReleases): ReleaseEntry[] {
  if (show === 'all') return [...entries];
  const out: ReleaseEntry[] = [];
  let latestSeen = false;
  for (const e of entries) {
    const phase = 'status' in e ? e.status.phase : undefined;
    if (phase === 'abandoned') continue;
    if (latestSeen) {
      // everything after the current `latest` is history, but for the newest earlier release
      if (phase === 'superseded') out.push(e);
      if (phase === 'superseded' || phase === 'promoted') break;
      continue;
    }
    out.push(e);
    if (phase === 'promoted') latestSeen = true;
  }
  return out;
}

function evidenceText(e: Evidence): string {
  if (/^[0-9a-f]{40}$/.test(e.value)) return e.value.slice(0, 7); // a git commit
  if (!isDigest(e.value)) return e.value;
  // per-platform digests say which platform they are: "arm64 03ebe3a29842"
  return /^[a-z0-9]+\/[a-z0-9_]+/.test(e.label)
    ? `${e.label.split('/').pop()} ${shortDigest(e.value)}`
    : shortDigest(e.value);
}

/** The short description of a gate: its evidence (short digest, check name, PR number), else the reason. */
export function gateDescription(g: GateResult): string {
  if (g.status !== 'pass' || g.evidence.length === 0) return g.reason;
  const parts = g.evidence.slice(0, 3).map(evidenceText);
  if (g.evidence.length > 3) parts.push(`+${g.evidence.length - 3}`);
  return parts.join(' · ');
}

function gateTooltip(g: GateResult): string {
  const lines = [`**${md(g.title)}**${g.subject ? ` — \`${g.subject}\`` : ''}`, '', md(g.reason)];
  if (g.evidence.length > 0) {
    lines.push('');
    for (const e of g.evidence) lines.push(`- ${md(e.label)}: ${link(e.value, e.url)}`);
  }
  return lines.join('\n');
}

/** The image links the tooltip offers: ghcr.io images have a package page. */
export function imageUrl(image: string): string | undefined {
  const m = /^ghcr\.io\/([^/]+)\/(.+)$/.exec(image);
  return m ? `https://github.com/${m[1]}/${encodeURIComponent(m[2]!)}/pkgs/container/${m[2]}` : undefined;
}

function gateNode(version: string, g: GateResult, index: number): ViewNode {
  const url = g.evidence.find((e) => e.url)?.url;
  const digest = g.evidence.find((e) => isDigest(e.value))?.value;
  const tokens = ['gate', `gate-${g.status}`, `gate-${g.id}`];
  if (url) tokens.push('has-url');
  if (digest) tokens.push('has-digest');
  const subject = g.subject && !g.title.includes(g.subject) ? ` (${g.subject.split('/').pop()})` : '';
  return {
    id: `${version}/gate/${index}/${g.id}/${g.subject ?? ''}`,
    kind: 'gate',
    label: `${g.title}${subject}`,
    description: gateDescription(g),
    tooltip: gateTooltip(g),
    icon: stateIcon(g.status as NodeState),
    contextValue: tokens.join(' '),
    children: [],
    version,
    url,
    digest,
  };
}

function stepNode(version: string, s: PlannedStep, index: number, running: boolean): ViewNode {
  const state: NodeState = s.done ? 'pass' : running ? 'running' : 'pending';
  const digest = s.step.kind === 'move-tag' ? s.step.toDigest : undefined;
  const url = s.step.kind === 'publish-release' ? s.step.url : undefined;
  const tokens = ['step', `step-${s.step.kind}`];
  if (url) tokens.push('has-url');
  if (digest) tokens.push('has-digest');
  const flags = [
    s.irreversible ? 'irreversible' : '',
    s.bestEffort ? 'best effort' : '',
    s.done ? 'done' : '',
  ]
    .filter(Boolean)
    .join(', ');
  return {
    id: `${version}/step/${index}/${s.id}`,
    kind: 'step',
    label: s.description,
    description: flags || undefined,
    tooltip: `**${md(s.id)}**\n\n${md(s.description)}${flags ? `\n\n_${md(flags)}_` : ''}`,
    icon: stateIcon(state),
    contextValue: tokens.join(' '),
    children: [],
    version,
    url,
    digest,
  };
}

/** Links of one release for its tooltip and "Open in Browser": release, PR, image pages. */
export function releaseLinks(s: ReleaseStatus): { label: string; url: string }[] {
  const o = s.observations;
  const links: { label: string; url: string }[] = [];
  if (o.release.state === 'draft' || o.release.state === 'published') {
    links.push({ label: `${o.release.state} release ${o.release.tag}`, url: o.release.url });
  }
  if (
    o.pullRequest.state === 'open' ||
    o.pullRequest.state === 'merged' ||
    o.pullRequest.state === 'closed'
  ) {
    links.push({ label: `PR #${o.pullRequest.number}`, url: o.pullRequest.url });
  }
  if (o.smoke.state === 'draft' || o.smoke.state === 'prerelease' || o.smoke.state === 'published') {
    links.push({ label: `smoke test ${o.smoke.repository}`, url: o.smoke.url });
  }
  for (const img of o.images) {
    const url = imageUrl(img.image);
    if (url) links.push({ label: img.image, url });
  }
  return links;
}

function versionDescription(s: ReleaseStatus): string {
  const parts: string[] = [s.phase];
  if (s.promoteInProgress) parts.push('promote interrupted');
  const failing = s.gates.filter((g) => g.status === 'fail').length;
  const pending = s.gates.filter((g) => g.status === 'pending').length;
  if (!SETTLED.has(s.phase)) {
    if (s.actions.promote.allowed)
      parts.push(s.actions.promote.rollForward ? 'ready to roll forward' : 'ready to promote');
    else if (failing > 0) parts.push(`${failing} gate${failing > 1 ? 's' : ''} failing`);
    else if (pending > 0) parts.push(`${pending} pending`);
  }
  const img = s.observations.images.find((i) => i.version.state === 'found');
  if (img && img.version.state === 'found') parts.push(shortDigest(img.version.digest));
  return parts.join(' · ');
}

function versionTooltip(s: ReleaseStatus): string {
  const lines = [`### ${md(s.version)} — ${md(s.phase)}`, '', PHASE_TEXT[s.phase]];
  if (s.promoteInProgress)
    lines.push('', '**A promote was interrupted**: run Release: Promote again to finish it.');
  lines.push('', `Gates: **${s.verdict}**`);
  for (const [name, a] of [
    ['Promote', s.actions.promote],
    ['Roll back', s.actions.rollback],
    ['Abandon', s.actions.abandon],
  ] as const) {
    lines.push(`- ${name}: ${a.allowed ? 'possible' : 'not offered'} — ${md(a.reason)}`);
  }
  const links = releaseLinks(s);
  if (links.length > 0) {
    lines.push('');
    for (const l of links) lines.push(`- ${link(l.label, l.url)}`);
  }
  for (const img of s.observations.images) {
    if (img.version.state === 'found') lines.push(`- \`${img.image}@${img.version.digest}\``);
  }
  return lines.join('\n');
}

/** Where the tree's "running" spinner goes while a command works on a version. */
export interface Activity {
  readonly version: string;
  readonly kind: 'promote' | 'rollback' | 'abandon';
}

/** X.Y.Z, not a candidate (read by core's parseTag: no version regex of our own). */
export function isFinalVersion(text: string): boolean {
  const v = parseTag(text);
  return v !== undefined && v.candidate === undefined;
}

function versionNode(s: ReleaseStatus, opts: ViewOptions, activity: Activity | undefined): ViewNode {
  const v = s.version;
  const running = activity?.version === v;
  const final = isFinalVersion(v);
  const o = s.observations;
  const links = releaseLinks(s);
  const digest = o.images.find((i) => i.version.state === 'found');
  const tokens = ['version', `phase-${s.phase}`];
  if (final) tokens.push('final');
  // The actions are core's decisions; the view only hides them while busy or untrusted.
  const offer = opts.trusted && !running;
  if (offer && s.actions.promote.allowed) tokens.push('promotable');
  if (offer && s.actions.rollback.allowed) tokens.push('rollbackable');
  if (offer && s.actions.abandon.allowed) tokens.push('abandonable');
  if (links.length > 0) tokens.push('has-url');
  if (digest) tokens.push('has-digest');

  const children: ViewNode[] = [
    {
      id: `${v}/phase`,
      kind: 'phase',
      label: `phase: ${s.phase}`,
      description: s.promoteInProgress ? 'promote interrupted' : PHASE_TEXT[s.phase].replace(/`/g, ''),
      tooltip: PHASE_TEXT[s.phase],
      icon: PHASE_ICON[s.phase],
      contextValue: 'phase',
      children: [],
      version: v,
    },
    ...s.gates.map((g, i) => gateNode(v, g, i)),
  ];
  const todo = s.plan.steps.filter((st) => !st.done);
  if (!SETTLED.has(s.phase) && s.plan.steps.length > 0) {
    children.push({
      id: `${v}/plan`,
      kind: 'plan',
      label: s.actions.promote.rollForward ? 'roll-forward plan' : 'promote plan',
      description: `${todo.length} of ${s.plan.steps.length} steps to do`,
      tooltip: `What **Release: Promote ${md(v)}** would do, in order.`,
      icon: { id: 'list-ordered' },
      contextValue: 'plan',
      expanded: false,
      children: s.plan.steps.map((st, i) => stepNode(v, st, i, running && activity?.kind === 'promote')),
      version: v,
    });
  }
  const failing = s.gates.some((g) => g.status === 'fail');
  return {
    id: `${v}`,
    kind: 'version',
    label: v,
    description: running ? `${activity.kind} running…` : versionDescription(s),
    tooltip: versionTooltip(s),
    icon: running
      ? stateIcon('running')
      : SETTLED.has(s.phase)
        ? PHASE_ICON[s.phase]
        : failing
          ? { id: PHASE_ICON[s.phase].id, color: 'testing.iconFailed' }
          : s.actions.promote.allowed
            ? { id: PHASE_ICON[s.phase].id, color: 'testing.iconPassed' }
            : PHASE_ICON[s.phase],
    contextValue: tokens.join(' '),
    expanded: s.actions.promote.allowed || (failing && !SETTLED.has(s.phase)),
    children,
    version: v,
    url: links[0]?.url,
    digest: digest?.version.state === 'found' ? digest.version.digest : undefined,
  };
}

function stateNode(
  id: string,
  label: string,
  description: string,
  icon: { id: string; color?: string },
  command?: { id: string; title: string },
  tooltip?: string,
): ViewNode {
  return {
    id: `state/${id}`,
    kind: 'state',
    label,
    description,
    tooltip: tooltip ?? md(description),
    icon,
    contextValue: `state state-${id}`,
    children: [],
    command,
  };
}

/**
 * The whole tree for one store snapshot. Empty, signed-out, misconfigured and offline states are
 * nodes of their own (not toasts), each with the command that gets the user out of it.
 */
export function toNodes(
  snapshot: StoreSnapshot,
  opts: ViewOptions,
  activity?: Activity | undefined,
): ViewNode[] {
  switch (snapshot.kind) {
    case 'loading':
      return [stateNode('loading', 'Loading releases…', '', { id: 'loading~spin' })];
    case 'no-workspace':
      return [
        stateNode('no-workspace', 'Open a folder', 'with a release.config.json', { id: 'folder-opened' }),
      ];
    case 'no-config':
      return [
        stateNode(
          'no-config',
          'No release config',
          `${snapshot.configPath} not found`,
          { id: 'gear' },
          { id: 'relkit.openConfig', title: 'Open Config' },
          `No **${md(snapshot.configPath)}** in this workspace. Click to create one, or set \`relkit.configPath\`.`,
        ),
      ];
    case 'invalid-config':
      return [
        stateNode(
          'invalid-config',
          'Release config is invalid',
          snapshot.message,
          { id: 'warning', color: 'problemsWarningIcon.foreground' },
          { id: 'relkit.openConfig', title: 'Open Config' },
          `**${md(snapshot.configPath)}** is invalid:\n\n${md(snapshot.message)}`,
        ),
      ];
    case 'sign-in':
      return [
        stateNode(
          'sign-in',
          'Sign in to GitHub',
          snapshot.message,
          { id: 'account' },
          { id: 'relkit.signIn', title: 'Sign In to GitHub' },
          `relkit reads releases and pull requests of **${md(snapshot.repository ?? 'the repository')}** with your GitHub account.\n\n${md(snapshot.message)}`,
        ),
      ];
    case 'offline':
    case 'error':
      return [
        stateNode(
          snapshot.kind,
          snapshot.kind === 'offline' ? 'Registry or GitHub unreachable' : 'Could not read releases',
          `${snapshot.code ? `${snapshot.code}: ` : ''}${snapshot.message}`,
          {
            id: snapshot.kind === 'offline' ? 'cloud-offline' : 'error',
            color: snapshot.kind === 'offline' ? undefined : 'testing.iconFailed',
          },
          { id: 'relkit.refresh', title: 'Retry' },
          `${md(snapshot.message)}\n\n${snapshot.retryInSeconds ? `Retrying in ${snapshot.retryInSeconds} s. ` : ''}Click to retry now.`,
        ),
      ];
    case 'ready': {
      const shown = visibleReleases(snapshot.releases, opts.show);
      if (shown.length === 0) {
        return [
          stateNode('empty', 'No releases yet', `no version tags in ${snapshot.repository}`, { id: 'info' }),
        ];
      }
      const nodes = shown.map((e): ViewNode => {
        if ('status' in e) return versionNode(e.status, opts, activity);
        return {
          id: e.version,
          kind: 'error',
          label: e.version,
          description: `${e.error.code}: ${e.error.message}`,
          tooltip: `Could not read ${md(e.version)}:\n\n${md(e.error.message)}`,
          icon: { id: 'warning', color: 'problemsWarningIcon.foreground' },
          contextValue: 'version-error',
          children: [],
          version: e.version,
        };
      });
      if (snapshot.lastError) {
        nodes.push(
          stateNode(
            'stale',
            'Showing the last good data',
            `${snapshot.lastError.code ?? 'error'}: ${snapshot.lastError.message}`,
            { id: 'cloud-offline' },
            { id: 'relkit.refresh', title: 'Retry' },
          ),
        );
      }
      return nodes;
    }
  }
}

/** Versions a promote may be offered for: the plan allows it (every gate passes, work left). */
export function promotableVersions(entries: readonly ReleaseEntry[]): ReleaseStatus[] {
  return entries.flatMap((e) => ('status' in e && e.status.actions.promote.allowed ? [e.status] : []));
}
