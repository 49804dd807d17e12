// Jest runs in ESM mode (jose and the generated Prisma clients are ESM): npm test passes
// --experimental-vm-modules. ts-jest only transpiles; `npm run typecheck` checks types.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.base.json' }] },
  testMatch: ['<rootDir>/{packages,subgraphs,gateway}/**/test/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testTimeout: 60_000,
  // Each test file starts its own supergraph; two at a time suits a 2-core machine.
  maxWorkers: 2,
};
