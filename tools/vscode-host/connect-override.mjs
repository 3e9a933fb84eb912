// Test-only: how the extension-host tests give relkit-vscode another connectRelease (the
// fallback world's stand-in, or --connect-module). The extension itself has no override (no env
// var, no module path): it always loads <extensionPath>/dist/adapters.cjs. So the harness puts a
// forwarding dist/adapters.cjs into the copy of the extension it runs:
//  - extension tests: a staged copy of the extension folder is the extensionDevelopmentPath;
//  - UI: the .vsix is installed as a user would, then its installed dist/adapters.cjs is replaced.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** A CommonJS dist/adapters.cjs that forwards connectRelease to `connectModule` (ESM or CJS). */
export function writeConnectShim(extensionDir, connectModule) {
  const url = pathToFileURL(path.resolve(connectModule)).href;
  const file = path.join(extensionDir, 'dist', 'adapters.cjs');
  fs.writeFileSync(
    file,
    `// written by tools/vscode-host/connect-override.mjs for the host tests\n` +
      `exports.connectRelease = async (options) => {\n` +
      `  const m = await import(${JSON.stringify(url)});\n` +
      `  const connectRelease = m.connectRelease ?? m.default?.connectRelease;\n` +
      `  if (typeof connectRelease !== 'function') throw new Error(${JSON.stringify(`${connectModule} does not export connectRelease`)});\n` +
      `  return connectRelease(options);\n` +
      `};\n`,
  );
  fs.rmSync(`${file}.map`, { force: true });
  return file;
}

/** A copy of the extension folder (package.json, dist/, media) whose adapters forward to connectModule. */
export function stageExtension(extDir, into, connectModule) {
  fs.cpSync(extDir, into, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(extDir, src);
      return !/^(node_modules|src|out|e2e-artifacts)(\/|$)/.test(rel) && !rel.endsWith('.vsix');
    },
  });
  writeConnectShim(into, connectModule);
  return into;
}

/** After `--install-extension`: the installed copy's folder under the extensions directory. */
export function installedExtensionDir(extensionsDir, pkg) {
  const prefix = `${pkg.publisher}.${pkg.name}-`.toLowerCase();
  const found = fs.readdirSync(extensionsDir).find((d) => d.toLowerCase().startsWith(prefix));
  if (!found) throw new Error(`${pkg.publisher}.${pkg.name} is not installed in ${extensionsDir}`);
  return path.join(extensionsDir, found);
}
