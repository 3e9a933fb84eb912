import * as vscode from 'vscode';
import type { ViewNode } from './model.js';

/**
 * The TreeDataProvider is a thin adapter: it holds the current ViewNode[] (computed by the pure
 * `toNodes`) and turns nodes into TreeItems. It never fetches; the store pushes new nodes.
 */
export class ReleasesTreeProvider implements vscode.TreeDataProvider<ViewNode>, vscode.Disposable {
  private nodes: readonly ViewNode[] = [];
  private readonly parents = new Map<string, ViewNode | undefined>();
  private readonly changed = new vscode.EventEmitter<ViewNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  setNodes(nodes: readonly ViewNode[]): void {
    this.nodes = nodes;
    this.parents.clear();
    const walk = (list: readonly ViewNode[], parent: ViewNode | undefined) => {
      for (const n of list) {
        this.parents.set(n.id, parent);
        walk(n.children, n);
      }
    };
    walk(nodes, undefined);
    this.changed.fire(undefined);
  }

  get roots(): readonly ViewNode[] {
    return this.nodes;
  }

  getChildren(element?: ViewNode): ViewNode[] {
    return [...(element ? element.children : this.nodes)];
  }

  getParent(element: ViewNode): ViewNode | undefined {
    return this.parents.get(element.id);
  }

  getTreeItem(n: ViewNode): vscode.TreeItem {
    const item = new vscode.TreeItem(
      n.label,
      n.expanded === undefined || n.children.length === 0
        ? vscode.TreeItemCollapsibleState.None
        : n.expanded
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = n.id;
    item.description = n.description;
    item.contextValue = n.contextValue;
    item.iconPath = new vscode.ThemeIcon(
      n.icon.id,
      n.icon.color ? new vscode.ThemeColor(n.icon.color) : undefined,
    );
    if (n.tooltip) {
      const md = new vscode.MarkdownString(n.tooltip);
      md.supportThemeIcons = true;
      item.tooltip = md;
    }
    if (n.command) item.command = { command: n.command.id, title: n.command.title };
    if (n.kind === 'version' || n.kind === 'gate' || n.kind === 'step') {
      item.accessibilityInformation = { label: `${n.label}${n.description ? `, ${n.description}` : ''}` };
    }
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
