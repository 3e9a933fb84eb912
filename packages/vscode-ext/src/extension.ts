import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerCommands } from './commands.js';
import { newlyPromotable, statusBarState } from './status-bar.js';
import { loadConnectRelease, loadRunDoctor, type ConnectRelease, type RunDoctor } from './connect.js';
import { ExtensionError } from './errors.js';
import { toNodes, type Activity, type ShowReleases } from './model.js';
import { redactor as makeRedactor } from '@relkit/release-core/redact';
import { ReleaseStore, type StoreSnapshot } from './store.js';
import { ReleasesTreeProvider } from './tree.js';

export const VIEW_ID = 'relkit.releases';
const TOKEN_SECRET = 'relkit.github.token';

/** What activate() returns: used by the extension-host tests, stable enough for other extensions. */
export interface RelkitApi {
  readonly store: ReleaseStore;
  readonly tree: ReleasesTreeProvider;
  /** Milliseconds activate() took (adapters are not loaded yet at that point). */
  readonly activationMs: number;
  /** Whether the adapters bundle has been loaded (it loads on the first refresh). */
  adaptersLoaded(): boolean;
}

function settings() {
  const c = vscode.workspace.getConfiguration('relkit');
  return {
    configPath: c.get<string>('configPath', 'release.config.json') || 'release.config.json',
    pollIntervalMs: Math.max(10, c.get<number>('pollIntervalSeconds', 60)) * 1000,
    show: (c.get<string>('releases.show', 'active') === 'all' ? 'all' : 'active') as ShowReleases,
    limit: Math.min(50, Math.max(1, c.get<number>('releases.limit', 10))),
  };
}

/** GitHub Enterprise Server (an API base ending in /api/v3, as connectRelease reads it) has its own provider. */
function authProvider(env: NodeJS.ProcessEnv): string {
  const api = env.RELKIT_GITHUB_API_URL ?? env.GITHUB_API_URL ?? '';
  return /\/api\/v3\/?$/.test(api) ? 'github-enterprise' : 'github';
}

export function activate(context: vscode.ExtensionContext): RelkitApi {
  const started = performance.now();
  const env = process.env;
  const output = vscode.window.createOutputChannel('Release');
  let token: string | undefined;
  const redact = makeRedactor(() => [
    token,
    env.RELKIT_GITHUB_TOKEN,
    env.GITHUB_TOKEN,
    env.GH_TOKEN,
    env.GH_ENTERPRISE_TOKEN,
    env.GITHUB_ENTERPRISE_TOKEN,
    env.REGISTRY_PASSWORD,
  ]);
  const log = (line: string) => output.appendLine(redact(line));

  /** Token order: environment (tests, CI, Codespaces), a token stored in SecretStorage, the VS Code session. */
  const githubToken = async (interactive: boolean): Promise<string | undefined> => {
    const enterprise = authProvider(env) === 'github-enterprise';
    const fromEnv = enterprise
      ? env.RELKIT_GITHUB_TOKEN || env.GH_ENTERPRISE_TOKEN || env.GITHUB_ENTERPRISE_TOKEN
      : env.RELKIT_GITHUB_TOKEN || env.GH_TOKEN || env.GITHUB_TOKEN;
    if (fromEnv) return fromEnv;
    const stored = await context.secrets.get(TOKEN_SECRET);
    if (stored) return stored;
    if (interactive) {
      return (await vscode.authentication.getSession(authProvider(env), ['repo'], { createIfNone: true }))
        .accessToken;
    }
    try {
      return (await vscode.authentication.getSession(authProvider(env), ['repo'], { silent: true }))
        ?.accessToken;
    } catch {
      // no such auth provider here (e.g. a web host without GitHub sign-in): the view offers Sign In
      return undefined;
    }
  };

  const configFile = async (): Promise<{ cwd: string; configPath: string }> => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0)
      throw new ExtensionError('NO_WORKSPACE', 'open a folder with a release.config.json');
    const rel = settings().configPath;
    for (const f of folders) {
      const uri = path.isAbsolute(rel) ? vscode.Uri.file(rel) : vscode.Uri.joinPath(f.uri, rel);
      try {
        await vscode.workspace.fs.stat(uri);
        return { cwd: f.uri.fsPath, configPath: uri.fsPath };
      } catch {
        // not in this folder
      }
    }
    throw new ExtensionError('NO_CONFIG', `${rel} not found in the workspace`);
  };

  let connectRelease: ConnectRelease | undefined;
  let runDoctor: RunDoctor | undefined;
  const connect = async () => {
    const where = await configFile();
    token = await githubToken(false);
    if (!token) {
      throw new ExtensionError('SIGN_IN_REQUIRED', 'sign in to GitHub to read releases and pull requests');
    }
    const t0 = performance.now();
    connectRelease ??= await loadConnectRelease(context.extensionPath);
    // the adapters find the token the way gh does (GH_TOKEN / GH_ENTERPRISE_TOKEN); hand it over both ways
    const tokenEnv = { ...env, [authProvider(env) === 'github' ? 'GH_TOKEN' : 'GH_ENTERPRISE_TOKEN']: token };
    const service = await connectRelease({ ...where, env: tokenEnv, githubToken: token });
    log(
      `connected to ${service.config.repository} (${where.configPath}) in ${Math.round(performance.now() - t0)} ms`,
    );
    return service;
  };

  const store = new ReleaseStore({
    connect,
    configPath: () => settings().configPath,
    limit: () => settings().limit,
    pollIntervalMs: () => settings().pollIntervalMs,
  });
  const tree = new ReleasesTreeProvider();
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  let activity: Activity | undefined;
  // The status bar: the selected release's phase, else the newest one in flight (status-bar.ts).
  const statusBar = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  statusBar.name = 'Release';
  const renderStatusBar = () => {
    const state = statusBarState(store.snapshot, view.selection[0]?.version);
    if (!state) return statusBar.hide();
    statusBar.text = state.text;
    statusBar.tooltip = redact(state.tooltip);
    statusBar.command = { title: 'Show Status', command: 'relkit.showStatus', arguments: [state.version] };
    statusBar.show();
  };
  let previousSnapshot: StoreSnapshot | undefined;
  const render = () => {
    renderStatusBar();
    tree.setNodes(
      toNodes(store.snapshot, { show: settings().show, trusted: vscode.workspace.isTrusted }, activity),
    );
    const s = store.snapshot;
    view.message =
      s.kind === 'ready' && s.lastError ? `Last refresh failed: ${redact(s.lastError.message)}` : undefined;
  };
  const setActivity = (a: Activity | undefined) => {
    activity = a;
    render();
  };

  context.subscriptions.push(
    output,
    tree,
    view,
    { dispose: () => store.dispose() },
    statusBar,
    view.onDidChangeSelection(() => renderStatusBar()),
    store.onDidChange((s) => {
      render();
      // A watched release that became promotable since the last refresh: say so once.
      for (const version of newlyPromotable(previousSnapshot, s)) {
        void vscode.window
          .showInformationMessage(`Release ${version} is ready to promote.`, 'Promote', 'Show Status')
          .then((a) => {
            if (a === 'Promote') void vscode.commands.executeCommand('relkit.promote', version);
            if (a === 'Show Status') void vscode.commands.executeCommand('relkit.showStatus', version);
          });
      }
      // Only data counts as "before": a failed refresh in between must not swallow the news.
      if (s.kind === 'ready') previousSnapshot = s;
      if (s.kind === 'error' || s.kind === 'offline') log(`refresh failed: ${s.code ?? ''} ${s.message}`);
    }),
    vscode.window.onDidChangeWindowState((w) => {
      if (w.focused) store.onWindowFocus();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('relkit')) return;
      if (e.affectsConfiguration('relkit.configPath')) store.resetConnection();
      render();
      void store.refresh();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => render()),
    vscode.authentication.onDidChangeSessions((e) => {
      if (e.provider.id !== authProvider(env)) return;
      store.resetConnection();
      void store.refresh();
    }),
    context.secrets.onDidChange((e) => {
      if (e.key !== TOKEN_SECRET) return;
      store.resetConnection();
      void store.refresh();
    }),
  );
  const watcher = vscode.workspace.createFileSystemWatcher('**/release.config.json');
  const onConfigChange = () => {
    store.resetConnection();
    void store.refresh();
  };
  context.subscriptions.push(
    watcher,
    watcher.onDidChange(onConfigChange),
    watcher.onDidCreate(onConfigChange),
    watcher.onDidDelete(onConfigChange),
  );

  registerCommands(context, {
    store,
    view,
    log,
    redact,
    setActivity,
    configFile,
    settings,
    showOutput: () => output.show(true),
    checkSetup: async () => {
      // Without a config the doctor still runs: its first check says what is missing.
      const where = await configFile().catch(() => ({
        cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd(),
        configPath: undefined,
      }));
      const t = await githubToken(false);
      if (t) token = t;
      runDoctor ??= await loadRunDoctor(context.extensionPath);
      const tokenEnv = t
        ? { ...env, [authProvider(env) === 'github' ? 'GH_TOKEN' : 'GH_ENTERPRISE_TOKEN']: t }
        : env;
      return runDoctor({ ...where, env: tokenEnv, githubToken: t });
    },
    signIn: async () => {
      try {
        const t = await githubToken(true);
        if (!t) return;
      } catch {
        // No GitHub auth provider (e.g. a GHES host VS Code does not know): take a token instead,
        // kept in SecretStorage only.
        const entered = await vscode.window.showInputBox({
          title: 'GitHub token for relkit',
          prompt: 'A token with the repo scope; it is stored in VS Code SecretStorage only.',
          password: true,
          ignoreFocusOut: true,
        });
        if (!entered) return;
        await context.secrets.store(TOKEN_SECRET, entered.trim());
      }
      store.resetConnection();
      await store.refresh();
    },
  });

  render();
  store.start();
  void vscode.commands.executeCommand('setContext', 'relkit.activated', true);
  const activationMs = performance.now() - started;
  log(
    `relkit-vscode ${String(context.extension.packageJSON.version)} activated in ${activationMs.toFixed(1)} ms`,
  );
  return { store, tree, activationMs, adaptersLoaded: () => connectRelease !== undefined };
}

export function deactivate(): void {
  // everything is in context.subscriptions
}
