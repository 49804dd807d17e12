import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

/** Reports each module the process loads, one `loaded <url>` line each on stderr. */
const recordingHooks = `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  console.error('loaded ' + resolved.url);
  return resolved;
}`;

/** Every module loading the gateway's code loads, as a URL (packages by their path under node_modules). */
function modulesLoadedBy(entry: URL): string[] {
  const loader = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(recordingHooks)}`)});`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--import', `data:text/javascript,${encodeURIComponent(loader)}`, '--input-type=module', '-e', `await import(${JSON.stringify(entry.href)})`], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (child.status !== 0) throw new Error(`importing the gateway failed: ${child.stderr}`);
  return child.stderr
    .split('\n')
    .filter((line) => line.startsWith('loaded '))
    .map((line) => line.slice('loaded '.length));
}

describe("the gateway's module graph", () => {
  it('holds no database, ORM or subgraph server: the gateway has no database, and each module it loads stays resident', () => {
    const loaded = modulesLoadedBy(new URL('../src/index.ts', import.meta.url));
    // Proof the recording works: the gateway's own modules and Apollo's are there.
    expect(loaded.some((url) => url.endsWith('/gateway/src/subgraph-client.ts'))).toBe(true);
    expect(loaded.some((url) => url.includes('/node_modules/@apollo/gateway/'))).toBe(true);
    const subgraphOnly = loaded.filter((url) =>
      /\/node_modules\/(@prisma\/|@electric-sql\/|pglite-prisma-adapter\/|pg\/|pg-pool\/|dataloader\/|@apollo\/subgraph\/)|\/packages\/db\/src\/|\/packages\/graphql-kit\/src\/(serve|subgraph)\.ts|\/packages\/events\/src\/relay/.test(
        url,
      ),
    );
    expect(subgraphOnly).toEqual([]);
  });
});
