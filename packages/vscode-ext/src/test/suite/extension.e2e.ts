// Runs inside a real VS Code extension host against the release world the harness started
// (tools/vscode-host/e2e.mjs): the workspace has a release.config.json and the environment
// holds the GitHub API URL and token; the version in RELKIT_E2E_VERSION is published, not promoted.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RelkitApi } from '../../extension.js';
import type { ViewNode } from '../../model.js';

const EXTENSION_ID = 'relkit.relkit-vscode';
const version = process.env.RELKIT_E2E_VERSION ?? '1.2.3';

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 45_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('relkit-vscode in a real extension host', () => {
  let api: RelkitApi;

  before(async () => {
    const ext = vscode.extensions.getExtension<RelkitApi>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed`);
    api = await ext.activate();
  });

  it('activates on a workspace with release.config.json, without loading the adapters first', () => {
    assert.equal(typeof api.activationMs, 'number');
    console.log(`    activation took ${api.activationMs.toFixed(1)} ms`);
  });

  it('contributes every command under the "Release" category', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of [
      'relkit.promote',
      'relkit.showStatus',
      'relkit.refresh',
      'relkit.dryRunPromote',
      'relkit.rollback',
      'relkit.abandon',
      'relkit.openConfig',
      'relkit.checkSetup',
    ]) {
      assert.ok(all.includes(id), `${id} is registered`);
    }
  });

  it(`shows ${version} as published with passing gates, promotable`, async () => {
    await vscode.commands.executeCommand('relkit.releases.focus');
    await vscode.commands.executeCommand('relkit.refresh');
    const node = await until(`${version} in the Releases view`, () =>
      api.tree.roots.find((n) => n.kind === 'version' && n.version === version),
    );
    const snap = api.store.snapshot;
    assert.equal(snap.kind, 'ready', `store state ${snap.kind}: ${JSON.stringify(snap).slice(0, 300)}`);
    assert.match(node.contextValue, /\bphase-(published|smoke-passed)\b/);
    assert.match(node.contextValue, /\bpromotable\b/);
    const gates = node.children.filter((c: ViewNode) => c.kind === 'gate');
    assert.ok(gates.length >= 4, `gates: ${gates.map((g) => g.label).join(', ')}`);
    assert.deepEqual(
      gates.filter((g) => !/\bgate-pass\b/.test(g.contextValue)).map((g) => `${g.label}: ${g.description}`),
      [],
    );
    // evidence in descriptions: a short digest on the image gates
    assert.ok(
      gates.some((g) => /^[0-9a-f]{12}\b/.test(g.description ?? '')),
      'a short digest is shown',
    );
    assert.ok(api.adaptersLoaded(), 'the adapters were loaded on the first refresh');
  });

  it('Dry Run Promote opens the plan in an editor tab and changes nothing', async () => {
    await vscode.commands.executeCommand('relkit.dryRunPromote', version);
    const doc = await until('the dry-run document', () =>
      vscode.workspace.textDocuments.find(
        (d) => d.languageId === 'markdown' && d.getText().includes('dry run'),
      ),
    );
    assert.match(doc.getText(), new RegExp(`# Promote ${version.replace(/\./g, '\\.')} — dry run`));
    assert.match(doc.getText(), /latest/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await vscode.commands.executeCommand('relkit.refresh');
    const node = api.tree.roots.find((n) => n.version === version);
    assert.match(node?.contextValue ?? '', /\bpromotable\b/, 'still promotable after the dry run');
  });

  it('Show Status writes the gates to the Release output channel', async () => {
    await vscode.commands.executeCommand('relkit.showStatus', version);
  });

  it('Open Config opens the release.config.json of the workspace', async () => {
    await vscode.commands.executeCommand('relkit.openConfig');
    const editor = await until('the config editor', () =>
      vscode.window.activeTextEditor?.document.uri.path.endsWith('/release.config.json')
        ? vscode.window.activeTextEditor
        : undefined,
    );
    assert.match(editor.document.getText(), /"repository"/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('the settings change what the view shows without a reload', async () => {
    const config = vscode.workspace.getConfiguration('relkit');
    await config.update('releases.limit', 1, vscode.ConfigurationTarget.Workspace);
    try {
      await until('one version only', () =>
        api.tree.roots.filter((n) => n.kind === 'version').length === 1 ? true : undefined,
      );
    } finally {
      await config.update('releases.limit', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await until('every version again', () =>
      api.tree.roots.filter((n) => n.kind === 'version').length > 1 ? true : undefined,
    );
  });
});
