import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

/** The rules that refuse `source` at `path`, as `npm run lint` reports them, one a problem. */
async function refusals(path: string, source: string): Promise<Array<string | null>> {
  const [result] = await eslint.lintText(source, { filePath: path });
  return (result?.messages ?? []).map((message) => message.ruleId);
}

describe('the lint boundaries (eslint.config.js)', () => {
  it('keep process.env to the config package and tooling', async () => {
    const readsEnv = "import { env } from 'node:process';\nexport const port = [process.env.PORT, env.PORT];\n";
    for (const path of ['subgraphs/users/src/port.ts', 'gateway/src/port.ts', 'packages/db/src/port.ts', 'gateway/test/port.test.ts']) {
      expect(await refusals(path, readsEnv)).toEqual(['no-restricted-imports', 'no-restricted-properties']);
    }
    for (const path of ['packages/config/src/port.ts', 'scripts/port.ts', 'bench/port.ts', 'test/port.ts', 'supergraph-tests/src/port.ts']) {
      expect(await refusals(path, readsEnv)).toEqual([]);
    }
    // The leaf test kit hands its processes an environment of their own (PATH), and is still a shared package.
    expect(await refusals('packages/testing/src/port.ts', 'export const path = process.env.PATH;\n')).toEqual([]);
  });

  it('let no subgraph import another service, by package or by path', async () => {
    expect(await refusals('subgraphs/users/src/x.ts', "export { startCatalog } from '@shop/catalog';\n")).toEqual(['no-restricted-imports']);
    expect(await refusals('subgraphs/catalog/src/services/x.ts', "export { startOrders } from '../../../orders/src/index.js';\n")).toEqual(['no-restricted-imports']);
    expect(await refusals('subgraphs/orders/src/x.ts', "export { startGateway } from '@shop/gateway';\n")).toEqual(['no-restricted-imports']);
    expect(await refusals('subgraphs/orders/src/x.ts', "export { errorRegistry } from '@shop/errors';\n")).toEqual([]);
  });

  it('let no shared package import a service', async () => {
    for (const service of ['gateway', 'users', 'catalog', 'orders']) {
      expect(await refusals('packages/graphql-kit/src/x.ts', `export * from '@shop/${service}';\n`)).toEqual(['no-restricted-imports']);
      expect(await refusals('packages/db/src/x.ts', `export * from '@shop/${service}/testing';\n`)).toEqual(['no-restricted-imports']);
      // The leaf test kit too: the harness that starts services lives in supergraph-tests/.
      expect(await refusals('packages/testing/src/x.ts', `export * from '@shop/${service}';\n`)).toEqual(['no-restricted-imports']);
    }
  });
});
