// npm run build: the services compiled ahead into dist/, as the image runs them (Dockerfile,
// docs/adr/0026). Each TypeScript file of the services, of the workspaces they depend on and
// of the image's commands becomes one JavaScript file at the same path (esbuild, no bundling),
// so every file a service reads beside its code keeps its place: the SDL next to each
// subgraph, contract/, schema/, the migrations. Types are checked by `npm run typecheck`.
import { cpSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { readManifest, repositoryRoot as root, workspaces, type Manifest } from './workspaces.js';

const out = path.join(root, 'dist');

/** What the image runs: the services, and its commands (the launcher, the healthcheck, migrations, demo data, the first admin). */
const services = ['gateway', 'subgraphs/users', 'subgraphs/catalog', 'subgraphs/orders', 'workers/notifications'];
const commands = ['scripts/serve.ts', 'scripts/ready-probe.ts', 'scripts/db-migrate.ts', 'scripts/db-seed.ts', 'scripts/admin-create.ts'];
/** Files read at run time, outside any workspace's src/. */
const assets = ['contract', 'schema/supergraph.graphql', 'schema/partner-manifest.json', 'prisma/users/migrations', 'prisma/catalog/migrations', 'prisma/orders/migrations', 'prisma/notifications/migrations'];

/** The services and the workspaces they depend on at run time (dependencies, not devDependencies). */
function runtimeWorkspaces(): string[] {
  const byName = workspaces();
  const needed = new Set<string>();
  const visit = (dir: string) => {
    if (needed.has(dir)) return;
    needed.add(dir);
    for (const name of Object.keys(readManifest(dir).dependencies ?? {})) {
      const dependency = byName.get(name);
      if (dependency) visit(dependency);
    }
  };
  services.forEach(visit);
  return [...needed].sort();
}

const filesUnder = (dir: string) =>
  readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));

/** The manifest as the compiled code needs it: exports point at .js files, tests and tooling left out. */
function compiledManifest(manifest: Manifest): Manifest {
  const exports = Object.fromEntries(
    Object.entries(manifest.exports ?? {})
      .filter(([, target]) => target.startsWith('./src/'))
      .map(([key, target]) => [key, target.replace(/\.ts$/, '.js')]),
  );
  return { name: manifest.name, version: manifest.version, private: true, type: manifest.type, exports, dependencies: manifest.dependencies };
}

const isSource = (file: string) => file.endsWith('.ts') && !file.endsWith('.d.ts');

rmSync(out, { recursive: true, force: true });
const sources = [...commands];
const built = runtimeWorkspaces();
for (const dir of built) {
  const files = filesUnder(path.join(dir, 'src'));
  sources.push(...files.filter(isSource));
  for (const file of files.filter((file) => !isSource(file))) cpSync(path.join(root, file), path.join(out, file));
  mkdirSync(path.join(out, dir), { recursive: true });
  writeFileSync(path.join(out, dir, 'package.json'), `${JSON.stringify(compiledManifest(readManifest(dir)), null, 2)}\n`);
}
for (const asset of assets) cpSync(path.join(root, asset), path.join(out, asset), { recursive: true });
// The links `npm ci` makes for the workspaces, to the compiled ones: dist/ runs in place, and
// finds every other package in the node_modules above it.
for (const [name, dir] of workspaces()) {
  if (!built.includes(dir)) continue;
  mkdirSync(path.join(out, 'node_modules', path.dirname(name)), { recursive: true });
  symlinkSync(path.relative(path.join(out, 'node_modules', path.dirname(name)), path.join(out, dir)), path.join(out, 'node_modules', name));
}
// The compiled commands under scripts/ are ES modules too.
writeFileSync(path.join(out, 'package.json'), `${JSON.stringify({ name: readManifest('.').name, private: true, type: 'module' }, null, 2)}\n`);

await build({
  absWorkingDir: root,
  entryPoints: sources,
  outdir: out,
  outbase: root,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
console.log(`Compiled ${sources.length} files into ${path.relative(root, out) || '.'}`);
