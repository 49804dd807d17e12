// Jest runs in ESM mode (jose and the generated Prisma clients are ESM): npm test passes
// --experimental-vm-modules. ts-jest only transpiles; `npm run typecheck` checks types.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.base.json' }] },
  // The compiled services (npm run build) repeat the workspaces' package names.
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  testMatch: ['<rootDir>/{packages,subgraphs,workers,gateway,supergraph-tests}/**/test/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  // Start hooks bring up a whole supergraph (PGlite compiles in each worker); on a busy machine
  // that alone has taken over 60 s.
  testTimeout: 120_000,
  // Each test file starts its own supergraph; two at a time suits a 2-core machine.
  maxWorkers: 2,
};
