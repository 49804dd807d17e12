import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { freePort, keyRingVariable, postToSubgraph, startServiceProcess, testKeyRing } from '@shop/testing';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { parse as parseYaml } from 'yaml';
import { linkWorkspaceModules, workspaces } from '../scripts/workspaces.js';

const root = new URL('..', import.meta.url).pathname;
const buildDir = path.join(root, 'dist');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

interface Stage {
  name: string | null;
  image: string;
  instructions: Instruction[];
}

/** The Dockerfile's stages, each with the instructions after its FROM. */
function stages(): Stage[] {
  const found: Stage[] = [];
  for (const instruction of DockerfileParser.parse(dockerfile).getInstructions()) {
    const [image, as, name] = instruction.getArguments().map((argument) => argument.getValue());
    if (instruction.getKeyword() === 'FROM') found.push({ name: as?.toUpperCase() === 'AS' ? name! : null, image: image!, instructions: [] });
    else found.at(-1)?.instructions.push(instruction);
  }
  return found;
}

const argumentsOf = (instruction: Instruction) => instruction.getArguments().map((argument) => argument.getValue());
const keyword = (stage: Stage, name: string) => stage.instructions.filter((instruction) => instruction.getKeyword() === name);
const flagOf = (instruction: Instruction, name: string) =>
  (instruction as Instruction & { getFlags(): Array<{ getName(): string; getValue(): string | null }> }).getFlags().find((flag) => flag.getName() === name)?.getValue() ?? null;
/** The exec form of CMD, or of HEALTHCHECK's CMD. */
const execForm = (instruction: Instruction) => JSON.parse(instruction.getArgumentsContent()!.replace(/^CMD\s+/, '')) as string[];

/** Whether .dockerignore keeps `file` out of the build context (patterns used here: names, `**` prefixes). */
function ignoredByDocker(file: string): boolean {
  const segments = file.split('/');
  return readFileSync(path.join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .some((pattern) => {
      const anywhere = pattern.startsWith('**/');
      const wanted = pattern.replace(/^\*\*\//, '').split('/');
      const matchesAt = (start: number) => wanted.every((part, index) => new RegExp(`^${part.replaceAll('*', '[^/]*')}$`).test(segments[start + index] ?? ''));
      return anywhere ? segments.some((_, start) => matchesAt(start)) : matchesAt(0);
    });
}

describe('the Dockerfile', () => {
  it('passes the Dockerfile linter (dockerfile-utils), every check counted as an error', () => {
    const strict: ValidatorSettings = {
      deprecatedMaintainer: ValidationSeverity.ERROR,
      directiveCasing: ValidationSeverity.ERROR,
      emptyContinuationLine: ValidationSeverity.ERROR,
      instructionCasing: ValidationSeverity.ERROR,
      instructionCmdMultiple: ValidationSeverity.ERROR,
      instructionEntrypointMultiple: ValidationSeverity.ERROR,
      instructionHealthcheckMultiple: ValidationSeverity.ERROR,
      instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
      instructionWorkdirRelative: ValidationSeverity.ERROR,
    };
    expect(validate(dockerfile, strict).map((problem) => `line ${problem.range.start.line + 1}: ${problem.message}`)).toEqual([]);
    // The linter sees these mistakes, so a clean result means something.
    expect(validate(`${dockerfile}\nCMD ["node"\nHEALTHCHECK CMD\n`, strict).length).toBeGreaterThanOrEqual(2);
  });

  it('ends in a stage on a Node LTS that runs the compiled command as a non-root user, with a healthcheck', () => {
    const all = stages();
    expect(all.length).toBeGreaterThanOrEqual(3);
    const final = all.at(-1)!;
    const nodeVersion = /^ARG NODE_VERSION=(\d+)$/m.exec(dockerfile)?.[1];
    // Even majors become LTS; 22 is the oldest still maintained.
    expect(Number(nodeVersion) % 2).toBe(0);
    expect(Number(nodeVersion)).toBeGreaterThanOrEqual(22);
    expect(final.image).toBe('node:${NODE_VERSION}-bookworm-slim');
    const users = keyword(final, 'USER').map((instruction) => argumentsOf(instruction)[0]);
    expect(users.length).toBe(1);
    expect(['root', '0']).not.toContain(users[0]!.split(':')[0]);
    expect(keyword(final, 'CMD').map(execForm)).toEqual([['node', 'scripts/serve.js']]);
    expect(keyword(final, 'HEALTHCHECK').map(execForm)).toEqual([['node', 'scripts/ready-probe.js']]);
    // No package manager runs in the final stage: it only copies what earlier stages made.
    expect(keyword(final, 'RUN').map((instruction) => instruction.getArgumentsContent())).not.toContainEqual(expect.stringMatching(/\bnpm\b/));
  });

  it('copies from earlier stages and from files the build context holds', () => {
    const all = stages();
    all.forEach((stage, index) => {
      for (const copy of keyword(stage, 'COPY')) {
        const from = flagOf(copy, 'from');
        const sources = argumentsOf(copy).slice(0, -1);
        if (from) {
          expect(all.slice(0, index).map((earlier) => earlier.name)).toContain(from);
          continue;
        }
        for (const source of sources) {
          expect({ source, exists: existsSync(path.join(root, source)), ignored: ignoredByDocker(source) }).toEqual({ source, exists: true, ignored: false });
        }
      }
    });
  });

  it('installs production dependencies only, from the manifest of every workspace and the lock', () => {
    const dependencies = stages().find((stage) => stage.name === 'production-dependencies')!;
    const copied = keyword(dependencies, 'COPY').flatMap((copy) => argumentsOf(copy).slice(0, -1));
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', ...[...workspaces().values()].map((dir) => `${dir}/package.json`)]));
    const installs = keyword(dependencies, 'RUN').map((instruction) => instruction.getArgumentsContent()!);
    expect(installs.some((run) => /npm ci --omit=dev --ignore-scripts/.test(run) && run.includes('prune-dev-optional.mjs'))).toBe(true);
  });
});

describe('the compiled services, as the image runs them', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'image-catalog-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('npm run build compiles them; the image command serves catalog and its healthcheck passes once it is ready', async () => {
    const built = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    for (const command of ['scripts/serve.js', 'scripts/ready-probe.js', 'scripts/db-migrate.js', 'scripts/db-seed.js', 'scripts/admin-create.js']) expect(existsSync(path.join(buildDir, command))).toBe(true);
    const typescriptLeft = readdirSync(buildDir, { recursive: true, encoding: 'utf8' }).filter((file) => !file.startsWith('node_modules') && /\.ts$/.test(file));
    expect(typescriptLeft).toEqual([]);

    linkWorkspaceModules();

    const keys = testKeyRing();
    const port = String(await freePort());
    // Without demo data it is ready sooner; an empty page still runs the compiled resolvers, Prisma client and SQL.
    const env = { NODE_ENV: 'production', CATALOG_PORT: port, DATA_DIR: dataDir, SEED_DEMO_DATA: 'false', GATEWAY_TOKEN_KEYS: keyRingVariable(keys) };
    const probe = () => spawnSync(process.execPath, ['scripts/ready-probe.js'], { cwd: buildDir, env: { PATH: process.env.PATH, SERVICE: 'catalog', ...env }, timeout: 10_000 }).status;
    expect(probe()).toBe(1);

    const catalog = await startServiceProcess({ service: 'catalog', buildDir, env });
    try {
      expect(probe()).toBe(0);
      const answer = await postToSubgraph('catalog', catalog.url, keys, { query: '{ products(limit: 2) { items { name } meta { totalItems } } }' });
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual({ products: { items: [], meta: { totalItems: 0 } } });
    } finally {
      await catalog.stop();
    }
    expect(await catalog.exited).toEqual({ code: 0, signal: null });
  });
});

describe('docker-compose.yml', () => {
  interface ComposeService {
    build?: unknown;
    command?: string[];
    environment?: Record<string, string>;
    healthcheck?: { test?: string[]; disable?: boolean };
    depends_on?: Record<string, { condition: string }>;
  }
  const compose = parseYaml(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
  const built = Object.entries(compose.services).filter(([, service]) => service.build);

  it('runs each service of the image by SERVICE, with the image’s healthcheck on its /ready', () => {
    const healthcheck = execForm(keyword(stages().at(-1)!, 'HEALTHCHECK')[0]!);
    const services = built.filter(([, service]) => !service.command);
    expect(services.map(([name]) => name).sort()).toEqual(['catalog', 'gateway', 'notifications', 'orders', 'users']);
    for (const [name, service] of services) {
      expect(service.environment?.SERVICE).toBe(name);
      expect(service.healthcheck?.test).toEqual(['CMD', ...healthcheck]);
    }
  });

  it('starts the gateway once every subgraph, Redis and NATS are healthy, the worker once users, orders and NATS are, and the subgraphs once migrated', () => {
    expect(compose.services.gateway!.depends_on).toMatchObject({
      users: { condition: 'service_healthy' },
      catalog: { condition: 'service_healthy' },
      orders: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
      nats: { condition: 'service_healthy' },
    });
    expect(compose.services.notifications!.depends_on).toEqual({
      users: { condition: 'service_healthy' },
      orders: { condition: 'service_healthy' },
      nats: { condition: 'service_healthy' },
    });
    for (const subgraph of ['users', 'catalog', 'orders']) {
      expect(compose.services[subgraph]!.depends_on).toEqual({ migrate: { condition: 'service_completed_successfully' } });
    }
  });
});
