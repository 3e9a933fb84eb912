// Lint rules shared by every package. Type-aware rules catch the async mistakes that matter most
// in a tool that talks to registries and GitHub (floating promises, misused promises). The
// package boundaries of the design are rules too (see "Boundaries" at the end): core does no I/O
// of its own, adapters never reach into a front end, and no module imports itself in a circle.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const withNode = (names) => names.flatMap((n) => [n, `node:${n}`]);

/** Network and processes belong to the adapters; core reaches the world only through its ports. */
const NO_NETWORK = [
  ...withNode(['http', 'https', 'http2', 'net', 'tls', 'child_process']).map((name) => ({
    name,
    message: 'core does no network or process I/O: add a port and implement it in an adapter.',
  })),
  { name: 'undici', message: 'core does no network I/O: add a port and implement it in an adapter.' },
];

/** The file system: only the CHANGELOG's own file access (changelog/fs.ts) uses it in core. */
const NO_FS = withNode(['fs', 'fs/promises']).map((name) => ({
  name,
  message: 'core reads and writes files only in changelog/fs.ts; take the contents or a port instead.',
}));

/** The front ends: nothing below them (the composition root, the adapters) imports one. */
const FRONT_ENDS = ['@relkit/cli', 'relkit-vscode'];
const packages = (names, message) => ({ group: names.flatMap((n) => [n, `${n}/*`]), message });
const NO_FRONT_END = packages(FRONT_ENDS, 'a front end depends on this package, not the other way round.');
const NO_CONNECT = packages(
  ['@relkit/connect'],
  'the composition root wires the adapters; an adapter never imports it.',
);
const NO_RELKIT = {
  group: ['@relkit/*', 'relkit-vscode', 'relkit-vscode/*'],
  message: 'core depends on no other relkit package: the adapters implement its ports.',
};

const restrict = (paths, patterns) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }],
});

const CORE = 'packages/core/src/**/*.ts';
const CORE_FS = 'packages/core/src/changelog/fs.ts';
// Tests and their helpers read fixture files and temporary directories; the rule is about the
// library's own code.
const CORE_TESTS = ['packages/core/src/**/*.test.ts', 'packages/core/src/**/__tests__/**'];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/out/**',
      '**/node_modules/**',
      '**/.nx/**',
      '**/fixtures/**',
      'tools/vscode-host/**',
      '.relkit-tmp/**',
      // the import cycle packages/core/src/boundaries.test.ts writes and lints itself
      '**/boundaries-tmp-*/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        // vitest.config.ts sits beside a package's tsconfig (which includes only src/)
        projectService: { allowDefaultProject: ['packages/*/vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        performance: 'readonly',
      },
    },
  },
  // Boundaries. One object per set of files, because a later object's options for the same rule
  // replace an earlier one's rather than adding to them.
  {
    files: [CORE],
    ignores: [CORE_FS, ...CORE_TESTS],
    rules: restrict([...NO_NETWORK, ...NO_FS], [NO_RELKIT]),
  },
  { files: [CORE_FS, ...CORE_TESTS], rules: restrict(NO_NETWORK, [NO_RELKIT]) },
  {
    files: ['packages/{registry,sigstore-verify,github}/src/**/*.ts'],
    rules: restrict([], [NO_FRONT_END, NO_CONNECT]),
  },
  { files: ['packages/connect/src/**/*.ts'], rules: restrict([], [NO_FRONT_END]) },
  // No import cycles inside a package (between packages, the rules above and the package.json
  // dependencies fix the direction). The plugin's own resolver follows NodeNext's `./x.js` to `./x.ts`; type-only imports
  // are not cycles at run time and are left out by the rule.
  {
    files: ['packages/*/src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.js', '.mjs', '.json'],
          extensionAlias: { '.js': ['.ts', '.js'] },
          conditionNames: ['types', 'import', 'default'],
        }),
      ],
      // only the TypeScript sources are followed: other packages are read through their built
      // dist/ and are not parsed for cycles
      'import-x/extensions': ['.ts'],
      'import-x/ignore': ['/dist/', '/node_modules/'],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
);
