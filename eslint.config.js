// npm run lint (turbo runs it per package): the recommended rules of ESLint and
// typescript-eslint, nothing stylistic, and the boundaries of the layout (README, docs/adr/0018):
// configuration comes from the environment in one place, and dependencies point one way.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const subgraphs = ['users', 'catalog', 'orders'];
const services = ['gateway', ...subgraphs];

const processEnv = {
  object: 'process',
  property: 'env',
  message: 'Read settings through a schema of @shop/config (loadConfig in main.ts), not process.env.',
};
const processEnvImport = { name: 'node:process', importNames: ['env'], message: processEnv.message };

/**
 * no-restricted-imports options refusing the services' packages, and their source reached by a
 * relative path (the package's own name goes in `paths`: a pattern for it would also cover
 * every subpath, and gitignore-style patterns cannot take a subpath back).
 */
const refusing = (refused, message) => ({
  paths: [...refused.map((service) => ({ name: `@shop/${service}`, message })), processEnvImport],
  patterns: refused.map((service) => ({
    group: [`@shop/${service}/*`, `**/${service}/src`, `**/${service}/src/**`],
    message,
  })),
});

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/generated/**', '**/.data/**', '**/.turbo/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly', fetch: 'readonly', AbortSignal: 'readonly' } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-properties': ['error', processEnv],
      'no-restricted-imports': ['error', { paths: [processEnvImport] }],
    },
  },
  {
    // The config package reads the environment once; tooling and the test harness start
    // processes with an environment of their own (PATH, HOME) or are read by other tools.
    files: ['packages/config/src/**', 'packages/testing/**', 'supergraph-tests/**', 'scripts/**', 'bench/**', 'prisma/**', 'codegen.ts', 'test/**'],
    rules: { 'no-restricted-properties': 'off', 'no-restricted-imports': 'off' },
  },
  ...subgraphs.map((subgraph) => ({
    files: [`subgraphs/${subgraph}/src/**`],
    rules: {
      'no-restricted-imports': [
        'error',
        refusing(
          services.filter((service) => service !== subgraph),
          'A subgraph never imports another service: share through packages/ (or a contract), call it over HTTP.',
        ),
      ],
    },
  })),
  {
    files: ['packages/*/src/**'],
    ignores: ['packages/config/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        refusing(services, 'A shared package never imports a service: dependencies point from services to packages.'),
      ],
    },
  },
);
