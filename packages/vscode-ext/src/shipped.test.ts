// No test hook ships: the built extension (dist/*.cjs) and every file inside the .vsix name
// neither the module override nor the CLI's old crash hook. The host tests stage their own
// dist/adapters.cjs instead (tools/vscode-host/connect-override.mjs).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const HOOKS = ['RELKIT_VSCODE_CONNECT_MODULE', 'RELKIT_TEST_CRASH_AFTER'];
const dist = fileURLToPath(new URL('../dist', import.meta.url));

/** The entries of a zip file (the .vsix), read from its central directory. */
function unzip(zip: Buffer): { name: string; data: Buffer }[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip file');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const out: { name: string; data: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + size);
    out.push({ name, data: method === 8 ? inflateRawSync(raw) : raw });
    at += 46 + skip;
  }
  return out;
}

describe('the shipped extension carries no test hooks', () => {
  it('dist/*.cjs name no test hook', () => {
    expect(existsSync(dist), 'build the extension first').toBe(true);
    const bundles = readdirSync(dist).filter((f) => f.endsWith('.cjs'));
    expect(bundles).toEqual(expect.arrayContaining(['extension.cjs', 'adapters.cjs']));
    for (const f of bundles) {
      const text = readFileSync(join(dist, f), 'utf8');
      for (const hook of HOOKS) expect(text.includes(hook), `${f} names ${hook}`).toBe(false);
    }
  });

  it('no file in the .vsix names a test hook', () => {
    const vsix = readdirSync(dist).find((f) => f.endsWith('.vsix'));
    expect(vsix, 'package the extension first (npm run build)').toBeDefined();
    const entries = unzip(readFileSync(join(dist, vsix!)));
    expect(entries.map((e) => e.name)).toContain('extension/dist/extension.cjs');
    for (const e of entries) {
      const text = e.data.toString('utf8');
      for (const hook of HOOKS)
        expect(text.includes(hook), `${e.name} in the .vsix names ${hook}`).toBe(false);
    }
  });
});
