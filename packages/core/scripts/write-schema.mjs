// Writes dist/release.config.schema.json from the zod schema, so editors validate
// release.config.json with exactly the rules relkit applies. A copy is committed at
// schema/release.config.schema.json, which the `$schema` of configs written by `release-cli init`
// names (at relkit's commit); a test fails when the two differ: copy this file there.
import { writeFileSync } from 'node:fs';
import { releaseConfigJsonSchema } from '../dist/index.js';

const schema = {
  ...releaseConfigJsonSchema(),
  title: 'relkit release.config.json',
};
writeFileSync(
  new URL('../dist/release.config.schema.json', import.meta.url),
  `${JSON.stringify(schema, null, 2)}\n`,
);
