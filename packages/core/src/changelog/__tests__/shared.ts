import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The shared data directory: RELKIT_SHARED_DIR, else `<repo root>/../shared` (repo root = has nx.json). */
export function sharedDir(): string {
  const override = process.env.RELKIT_SHARED_DIR;
  if (override) return resolve(override);
  let dir = here;
  while (!existsSync(join(dir, 'nx.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no nx.json above ${here}; set RELKIT_SHARED_DIR`);
    dir = up;
  }
  return join(dir, '..', 'shared');
}

export const changelogData = (): string => join(sharedDir(), 'data', 'changelogs');

export interface FinalizeCase {
  readonly name: string;
  readonly version: string;
  readonly repository: string;
  readonly date: string;
  readonly tagPrefix: string | undefined;
  readonly before: string;
  readonly after: string;
}

/**
 * The real finalize pairs listed in cases.tsv (header row names the columns; extra optional
 * columns `tag_prefix`, `before`, `after` are honoured so new rows need no code change).
 */
export function finalizeCases(): FinalizeCase[] {
  const dir = join(changelogData(), 'finalize');
  const [header, ...rows] = readFileSync(join(dir, 'cases.tsv'), 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const cols = (header ?? '').split('\t').map((c) => c.trim().toLowerCase().replace(/[-\s]/g, '_'));
  const col = (cells: string[], ...names: string[]) => {
    for (const n of names) {
      const i = cols.indexOf(n);
      if (i !== -1 && cells[i] !== undefined && cells[i] !== '') return cells[i]?.trim();
    }
    return undefined;
  };
  return rows.map((row) => {
    const cells = row.split('\t');
    const version = col(cells, 'version') ?? '';
    const before = col(cells, 'before', 'before_file') ?? `${version}.before.md`;
    const after = col(cells, 'after', 'after_file') ?? `${version}.after.md`;
    return {
      name: col(cells, 'name', 'case') ?? version,
      version,
      repository: col(cells, 'repository', 'repo') ?? '',
      date: col(cells, 'date') ?? '',
      tagPrefix: col(cells, 'tag_prefix', 'tagprefix', 'prefix'),
      before: readFileSync(join(dir, before), 'utf8'),
      after: readFileSync(join(dir, after), 'utf8'),
    };
  });
}

export function fixture(name: string): string {
  return readFileSync(join(here, '..', 'fixtures', name), 'utf8');
}
