// House rules a tool keeps. Formatting is Prettier's job (eslint-config-prettier turns off the
// rules it would fight); this file holds correctness rules and the code's boundaries.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import boundaries from 'eslint-plugin-boundaries';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// SQL lives in repositories and the figures read. Query building is recognised by Kysely's
// entry points and the `sql` template.
const QUERY_BUILDERS = ['selectFrom', 'insertInto', 'updateTable', 'deleteFrom', 'mergeInto', 'replaceInto', 'selectNoFrom'];
const sqlOnlyInRepositories = {
  'no-restricted-imports': [
    'error',
    {
      paths: [{ name: 'kysely', importNames: ['sql'], message: 'SQL belongs in a repository.ts (or the figures read in src/figures/).' }],
    },
  ],
  'no-restricted-syntax': [
    'error',
    {
      selector: `CallExpression[callee.type='MemberExpression'][callee.property.name=/^(${QUERY_BUILDERS.join('|')})$/]`,
      message: 'Queries belong in a repository.ts (or the figures read in src/figures/): call a repository function.',
    },
  ],
};

// Where SQL may live besides files named repository.ts, and why:
const SQL_ALLOWED = [
  '**/repository.ts',
  '**/*-repository.ts', // a feature's second store, e.g. src/auth/users-repository.ts
  'src/conditions/line-warning-candidates.ts', // the SQL prefilter of the line warnings, beside the rule it must agree with
  'src/db/**', // the database layer itself: connection, migrations runner, calendar SQL twins, transactions
  'src/figures/**', // the one figures read behind the summary, dashboard and every report
  'src/http/idempotency.ts', // claims a key and stores the response inside the write's own transaction
  'src/audit/record.ts', // the audit chain: locks the chain head and appends in the caller's transaction
  'migrations/**', // frozen in time, written against Kysely<any>
  'test/**', // tests arrange and inspect the database directly
  'bench/**', // benchmarks seed and measure the database directly
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'test-artifacts/', 'bench/results/', 'scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // The type-aware rules worth their cost: a promise nobody awaits loses its error.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Migrations are frozen in time: they take Kysely<any> and never import the app's table types.
    files: ['migrations/**/*.ts', 'src/db/migrate.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Tests and benchmarks read the API's JSON untyped and assert its shape.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['src/web/public/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'script' },
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    ignores: ['src/web/public/**'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['src/**/*.ts'],
    ignores: SQL_ALLOWED,
    rules: sqlOnlyInRepositories,
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/include': ['src/**/*'],
      // Files are classified by category; a file may carry several (src/web/grants/repository.ts
      // is both web and a repository: the web's own reads, not another feature's).
      'boundaries/files': [
        // Report generators: each report's model and writers, and the helpers they share. A
        // report's report.ts is its definition and loader, not a generator.
        { category: 'report-generator', pattern: ['src/reports/shared/**', 'src/reports/*/!(report).ts'] },
        { category: 'db', pattern: 'src/db/**' },
        { category: 'web', pattern: 'src/web/**' },
        { category: 'repository', pattern: 'src/**/repository.ts' },
        { category: 'repository', pattern: 'src/**/*-repository.ts' },
      ],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'allow',
          policies: [
            {
              from: { file: { categories: 'report-generator' } },
              disallow: { to: [{ file: { categories: 'db' } }, { module: { origin: 'external', source: 'kysely' } }] },
              message: 'Report generators turn loaded figures into documents; they never reach the database layer.',
            },
            {
              from: { file: { categories: 'web' } },
              disallow: { to: { file: { categories: { allOf: ['repository'], noneOf: ['web'] } } }, dependency: { kind: 'value' } },
              message: "The web calls a feature's service, never its repository.",
            },
          ],
        },
      ],
    },
  },
  prettier,
);
