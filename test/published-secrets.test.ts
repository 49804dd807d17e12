import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { accessTokenSchema, gatewayTokenSchema, loadConfig, publishedSecrets } from '@shop/config';

const repoRoot = new URL('../', import.meta.url);

/** Every `kid:secret` given to ACCESS_TOKEN_KEYS or GATEWAY_TOKEN_KEYS in a tracked file: shell, compose, JSON, TypeScript or prose. */
function secretsWrittenInTheRepository(): Array<{ file: string; secret: string }> {
  const files = execFileSync('git', ['ls-files'], { cwd: repoRoot, encoding: 'utf8' }).split('\n').filter(Boolean);
  const assignment = /(?:ACCESS|GATEWAY)_TOKEN_KEYS["']?\s*[=:]\s*["'`]?([^\s"'`]+)/g;
  const found: Array<{ file: string; secret: string }> = [];
  for (const file of files) {
    if (file === 'package-lock.json') continue;
    let text: string;
    try {
      text = readFileSync(new URL(file, repoRoot), 'utf8');
    } catch {
      continue;
    }
    for (const [, value] of text.matchAll(assignment)) {
      // Variables and placeholders (${...}, <32+ random bytes>) are not secrets.
      if (/[$<{]/.test(value!)) continue;
      for (const entry of value!.split(',')) {
        const secret = entry.slice(entry.indexOf(':') + 1);
        // Code that computes a key (a call, a property) is not a written secret.
        if (/^[\w+/=.-]{32,}$/.test(secret)) found.push({ file, secret });
      }
    }
  }
  return found;
}

function exitOf(entry: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('secrets published in the repository', () => {
  it('lists every signing secret written in a tracked file, and the development defaults', () => {
    const unlisted = secretsWrittenInTheRepository().filter(({ secret }) => !publishedSecrets.has(secret));
    expect(unlisted).toEqual([]);
    const development = loadConfig({ access: accessTokenSchema, gateway: gatewayTokenSchema }, {});
    for (const ring of [development.access.keys, development.gateway]) {
      expect(publishedSecrets.has(new TextDecoder().decode(ring.signing.secret))).toBe(true);
    }
  });

  // Finding 4 of issue 14: with the published GATEWAY_TOKEN_KEYS, a forged token read users { email role } from the users subgraph.
  it.each([
    ['gateway/src/main.ts', 'GATEWAY_TOKEN_KEYS', 'dev-gateway-1:development-only-gateway-token-secret-change-me'],
    ['subgraphs/users/src/main.ts', 'ACCESS_TOKEN_KEYS', 'dev-access-1:development-only-access-token-secret-change-me'],
  ])('production refuses to start %s with the development %s', async (entry, variable, developmentKey) => {
    const ownKey = `own:${'k'.repeat(48)}`;
    const { code, output } = await exitOf(entry, {
      NODE_ENV: 'production',
      LOG_LEVEL: 'error',
      PORT: '0',
      USERS_PORT: '0',
      ACCESS_TOKEN_KEYS: ownKey,
      GATEWAY_TOKEN_KEYS: ownKey,
      [variable]: developmentKey,
    });
    expect(code).toBe(1);
    expect(output).toContain(`${variable}: key "${developmentKey.split(':')[0]}" uses a secret published in this repository`);
    expect(output).toContain('openssl rand');
  });
});
