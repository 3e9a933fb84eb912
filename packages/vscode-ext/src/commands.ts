import * as vscode from 'vscode';
import type {
  ExecutionEvent,
  ExecutionResult,
  Plan,
  ReleaseService,
  ReleaseStatus,
} from '@relkit/release-core';
import { errorCode, errorMessage } from './errors.js';
import {
  promotableVersions,
  SETTLED,
  releaseLinks,
  type Activity,
  type ShowReleases,
  type ViewNode,
} from './model.js';
import {
  blockingGates,
  doctorLines,
  doctorNotification,
  journalLine,
  planDetail,
  planMarkdown,
  resultSummary,
  statusText,
} from './render.js';
import type { ReleaseStore } from './store.js';
import type { DoctorReport } from '@relkit/connect';

export interface CommandDeps {
  readonly store: ReleaseStore;
  readonly view: vscode.TreeView<ViewNode>;
  readonly log: (line: string) => void;
  readonly redact: (text: string) => string;
  readonly setActivity: (a: Activity | undefined) => void;
  readonly configFile: () => Promise<{ cwd: string; configPath: string }>;
  readonly settings: () => { configPath: string; show: ShowReleases };
  readonly signIn: () => Promise<void>;
  readonly showOutput: () => void;
  /** Runs the setup checks of `release-cli doctor` for this workspace. */
  readonly checkSetup: () => Promise<DoctorReport>;
}

const CONFIG_TEMPLATE = `{
  "repository": "OWNER/REPO",
  "tagPrefix": "v",
  "images": [{ "name": "ghcr.io/owner/app", "platforms": ["linux/amd64", "linux/arm64"] }],
  "signing": {
    "issuer": "https://token.actions.githubusercontent.com",
    "identity": "https://github.com/OWNER/REPO/.github/workflows/release.yml@refs/heads/main"
  }
}
`;

/** A tree node passed by a context menu, or a version string from another extension / a test. */
function versionArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'object' && arg !== null && typeof (arg as ViewNode).version === 'string') {
    return (arg as ViewNode).version;
  }
  return undefined;
}

/** Statuses the store holds right now, refreshing first when it holds none. */
async function currentStatuses(store: ReleaseStore): Promise<ReleaseStatus[]> {
  if (store.snapshot.kind !== 'ready') await store.refresh();
  const s = store.snapshot;
  if (s.kind !== 'ready') return [];
  return s.releases.flatMap((e) => ('status' in e ? [e.status] : []));
}

export function registerCommands(context: vscode.ExtensionContext, deps: CommandDeps): void {
  const { store, log, redact } = deps;

  const fail = (what: string, e: unknown) => {
    const code = errorCode(e);
    const message = redact(`${what}: ${code ? `${code}: ` : ''}${errorMessage(e)}`);
    log(message);
    void vscode.window.showErrorMessage(message, 'Show Output').then((a) => {
      if (a) void vscode.commands.executeCommand('relkit.showOutput');
    });
  };

  const service = (): Promise<ReleaseService> =>
    Promise.resolve(
      vscode.window.withProgress({ location: { viewId: 'relkit.releases' }, title: 'Connecting…' }, () =>
        store.getService(),
      ),
    );

  const requireTrust = (what: string): boolean => {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showWarningMessage(
      `${what} is disabled in an untrusted workspace: trust this folder to change releases.`,
    );
    return false;
  };

  const pickVersion = async (
    title: string,
    statuses: readonly ReleaseStatus[],
    detail: (s: ReleaseStatus) => string,
  ): Promise<string | undefined> => {
    const picked = await vscode.window.showQuickPick(
      statuses.map((s) => ({ label: s.version, description: s.phase, detail: detail(s) })),
      { title, placeHolder: 'Version', ignoreFocusOut: true },
    );
    return picked?.label;
  };

  /** Runs a confirmed plan with a cancellable progress notification, logs the journal, refreshes. */
  const run = async (
    plan: Plan,
    go: (options: {
      signal: AbortSignal;
      onEvent: (e: ExecutionEvent) => void;
      holder: string;
    }) => Promise<ExecutionResult>,
  ): Promise<ExecutionResult | undefined> => {
    const verb = { promote: 'Promoting', rollback: 'Rolling back latest to', abandon: 'Abandoning' }[
      plan.kind
    ];
    deps.setActivity({ version: plan.version, kind: plan.kind });
    log(`--- ${plan.kind} ${plan.version} started ${new Date().toISOString()}`);
    try {
      return await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `${verb} ${plan.version}`,
          cancellable: true,
        },
        async (progress, token) => {
          const controller = new AbortController();
          const sub = token.onCancellationRequested(() => {
            log(`${plan.kind} ${plan.version}: cancel requested; stopping before the next step`);
            controller.abort();
          });
          try {
            const result = await go({
              signal: controller.signal,
              holder: `vscode ${vscode.env.appName} (${vscode.env.machineId.slice(0, 8)})`,
              onEvent: (e) => {
                switch (e.type) {
                  case 'step-started':
                    progress.report({
                      message: `${e.index + 1}/${e.total} ${e.step.description}`,
                      increment: 100 / Math.max(1, e.total),
                    });
                    break;
                  case 'lock-acquired':
                    log(`lock ${e.name} acquired by ${e.holder}`);
                    break;
                  case 'lock-released':
                    log(`lock ${e.name} released`);
                    break;
                  default:
                    log(journalLine(e.entry));
                }
              },
            });
            log(`--- ${plan.kind} ${plan.version} ${result.status}`);
            if (result.error) log(`error ${result.error.code}: ${result.error.message}`);
            return result;
          } finally {
            sub.dispose();
          }
        },
      );
    } finally {
      deps.setActivity(undefined);
      void store.refresh();
    }
  };

  const report = async (result: ExecutionResult, plan: Plan) => {
    const summary = redact(resultSummary(result));
    const releaseStep = plan.steps.find((s) => s.step.kind === 'publish-release')?.step;
    const url = releaseStep?.kind === 'publish-release' ? releaseStep.url : undefined;
    if (result.status === 'succeeded') {
      const action = await vscode.window.showInformationMessage(
        summary,
        ...(url ? ['Open Release'] : []),
        'Show Output',
      );
      if (action === 'Open Release' && url) await vscode.env.openExternal(vscode.Uri.parse(url));
      if (action === 'Show Output') await vscode.commands.executeCommand('relkit.showOutput');
    } else {
      const action = await vscode.window.showErrorMessage(summary, 'Show Output', 'Show Status');
      if (action === 'Show Output') await vscode.commands.executeCommand('relkit.showOutput');
      if (action === 'Show Status') await vscode.commands.executeCommand('relkit.showStatus', plan.version);
    }
  };

  const confirm = async (title: string, plan: Plan, button: string): Promise<boolean> => {
    const answer = await vscode.window.showWarningMessage(
      title,
      { modal: true, detail: planDetail(plan) },
      button,
    );
    return answer === button;
  };

  const promote = async (arg?: unknown) => {
    if (!requireTrust('Promote')) return;
    try {
      const svc = await service();
      let version = versionArg(arg);
      if (!version) {
        const statuses = await currentStatuses(store);
        const ready = promotableVersions(statuses.map((status) => ({ version: status.version, status })));
        if (ready.length === 0) {
          const next = statuses.find((s) => !SETTLED.has(s.phase));
          void vscode.window.showInformationMessage(
            next
              ? `No version can be promoted now. ${next.version} (${next.phase}): ${next.actions.promote.reason}`
              : 'No version can be promoted now: nothing is published and waiting.',
          );
          return;
        }
        version = await pickVersion('Release: Promote', ready, (s) => {
          return `all ${s.gates.length} gates pass · ${s.actions.promote.reason}`;
        });
        if (!version) return;
      }
      const v = version;
      const plan = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Checking the gates of ${v}…` },
        () => svc.planPromote(v),
      );
      if (plan.verdict !== 'pass') {
        const msg = redact(`Cannot promote ${v}: ${blockingGates(plan.gates)}`);
        log(msg);
        const action = await vscode.window.showErrorMessage(msg, 'Show Status', 'Dry Run');
        if (action === 'Show Status') await vscode.commands.executeCommand('relkit.showStatus', v);
        if (action === 'Dry Run') await vscode.commands.executeCommand('relkit.dryRunPromote', v);
        return;
      }
      if (plan.steps.every((s) => s.done)) {
        void vscode.window.showInformationMessage(`${v} is already promoted: nothing to do.`);
        return;
      }
      if (!(await confirm(`Promote ${v} to latest in ${svc.config.repository}?`, plan, 'Promote'))) return;
      const result = await run(plan, (o) => svc.promote(v, o));
      if (result) await report(result, plan);
    } catch (e) {
      fail('Promote failed', e);
    }
  };

  const dryRun = async (arg?: unknown) => {
    try {
      const svc = await service();
      let version = versionArg(arg);
      if (!version) {
        const statuses = (await currentStatuses(store)).filter((s) => s.phase !== 'abandoned');
        version = await pickVersion('Release: Dry Run Promote', statuses, (s) => `gates ${s.verdict}`);
        if (!version) return;
      }
      const v = version;
      const plan = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Planning the promote of ${v}…` },
        () => svc.planPromote(v),
      );
      const doc = await vscode.workspace.openTextDocument({
        language: 'markdown',
        content: planMarkdown(plan, svc.config.repository),
      });
      await vscode.window.showTextDocument(doc, { preview: false });
    } catch (e) {
      fail('Dry run failed', e);
    }
  };

  const rollback = async (arg?: unknown) => {
    if (!requireTrust('Roll back')) return;
    try {
      const svc = await service();
      const statuses = await currentStatuses(store);
      // Core decides which releases latest may move back to (rollback.targets of the current one).
      const current =
        statuses.find((s) => s.version === versionArg(arg)) ?? statuses.find((s) => s.phase === 'promoted');
      const from = current?.version;
      const allowed = new Set(current?.actions.rollback.targets ?? []);
      const targets = statuses.filter((s) => allowed.has(s.version));
      if (targets.length === 0) {
        void vscode.window.showInformationMessage(
          `No earlier version to roll back to${current ? `: ${current.actions.rollback.reason}` : ''}.`,
        );
        return;
      }
      const to = await pickVersion(
        `Release: Roll Back Latest${from ? ` (now ${from})` : ''} to…`,
        targets,
        (s) => `${s.phase} · ${s.actions.rollbackTo.reason}`,
      );
      if (!to) return;
      const plan = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Planning the rollback to ${to}…` },
        () => svc.planRollback(to),
      );
      if (plan.verdict !== 'pass') {
        void vscode.window.showErrorMessage(
          redact(`Cannot roll back to ${to}: ${blockingGates(plan.gates)}`),
        );
        return;
      }
      if (!(await confirm(`Move latest back to ${to}?`, plan, 'Roll Back'))) return;
      const result = await run(plan, (o) => svc.rollback(to, o));
      if (result) await report(result, plan);
    } catch (e) {
      fail('Rollback failed', e);
    }
  };

  const abandon = async (arg?: unknown) => {
    if (!requireTrust('Abandon')) return;
    try {
      const svc = await service();
      let version = versionArg(arg);
      if (!version) {
        const statuses = (await currentStatuses(store)).filter((s) => s.actions.abandon.allowed);
        if (statuses.length === 0) {
          void vscode.window.showInformationMessage('No unreleased version to abandon.');
          return;
        }
        version = await pickVersion(
          'Release: Abandon Release…',
          statuses,
          (s) => `${s.phase} · ${s.actions.abandon.reason}`,
        );
        if (!version) return;
      }
      const v = version;
      const plan = await svc.planAbandon(v);
      if (!(await confirm(`Abandon ${v}? Drafts, the tag and the PR are removed.`, plan, 'Abandon'))) return;
      const result = await run(plan, (o) => svc.abandon(v, o));
      if (result) await report(result, plan);
    } catch (e) {
      fail('Abandon failed', e);
    }
  };

  const showStatus = async (arg?: unknown) => {
    try {
      const statuses = await currentStatuses(store);
      const version = versionArg(arg);
      const chosen = version ? statuses.filter((s) => s.version === version) : statuses;
      if (chosen.length === 0) {
        const snap = store.snapshot;
        void vscode.window.showInformationMessage(
          snap.kind === 'ready' ? 'No releases to show.' : `Releases are not available (${snap.kind}).`,
        );
        return;
      }
      deps.log(`--- status ${new Date().toISOString()}`);
      for (const s of chosen) {
        deps.log(statusText(s));
        for (const l of releaseLinks(s)) deps.log(`    ${l.label}: ${l.url}`);
      }
      await vscode.commands.executeCommand('relkit.showOutput');
      await vscode.commands.executeCommand('relkit.releases.focus');
    } catch (e) {
      fail('Status failed', e);
    }
  };

  const openConfig = async () => {
    try {
      const { configPath } = await deps.configFile();
      await vscode.window.showTextDocument(vscode.Uri.file(configPath));
    } catch (e) {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (errorCode(e) !== 'NO_CONFIG' || !folder) return fail('Open config failed', e);
      const rel = deps.settings().configPath;
      const create = await vscode.window.showInformationMessage(
        `${rel} does not exist in ${folder.name}.`,
        'Create It',
      );
      if (create !== 'Create It') return;
      const uri = vscode.Uri.joinPath(folder.uri, rel);
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(CONFIG_TEMPLATE));
      await vscode.window.showTextDocument(uri);
    }
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('relkit.promote', promote),
    vscode.commands.registerCommand('relkit.dryRunPromote', dryRun),
    vscode.commands.registerCommand('relkit.rollback', rollback),
    vscode.commands.registerCommand('relkit.abandon', abandon),
    vscode.commands.registerCommand('relkit.showStatus', showStatus),
    vscode.commands.registerCommand('relkit.refresh', () =>
      vscode.window.withProgress({ location: { viewId: 'relkit.releases' } }, () => store.refresh()),
    ),
    vscode.commands.registerCommand('relkit.openConfig', openConfig),
    vscode.commands.registerCommand('relkit.signIn', deps.signIn),
    vscode.commands.registerCommand('relkit.showOutput', () => deps.showOutput()),
    vscode.commands.registerCommand('relkit.checkSetup', async () => {
      try {
        const report = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: 'Release: checking the setup…' },
          () => deps.checkSetup(),
        );
        log('Release: Check Setup');
        for (const line of doctorLines(report)) log(line);
        const note = doctorNotification(report);
        const show =
          note.level === 'info' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
        void show(redact(note.message), 'Show Output').then((a) => {
          if (a) deps.showOutput();
        });
        return report;
      } catch (e) {
        fail('Check Setup failed', e);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('relkit.openInBrowser', async (n?: ViewNode) => {
      if (n?.url) await vscode.env.openExternal(vscode.Uri.parse(n.url));
    }),
    vscode.commands.registerCommand('relkit.copyDigest', async (n?: ViewNode) => {
      if (!n?.digest) return;
      await vscode.env.clipboard.writeText(n.digest);
      void vscode.window.setStatusBarMessage(`Copied ${n.digest}`, 3000);
    }),
  );
}
