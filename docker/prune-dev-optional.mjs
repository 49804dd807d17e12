// The image's production dependencies (Dockerfile): after `npm ci --omit=dev`, removes the
// packages the lock marks devOptional. Those are development tools that a production package
// also names as an optional peer (prisma and typescript for @prisma/client), and everything
// only they need: npm keeps them unless optional packages are omitted too, which would also
// drop the platform binaries production needs (@node-rs/argon2's). See docs/adr/0026.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const removed = Object.entries(lock.packages).filter(([location, entry]) => location !== '' && entry.devOptional);
for (const [location] of removed) rmSync(location, { recursive: true, force: true });

// Their commands' links in node_modules/.bin now lead nowhere.
const bin = 'node_modules/.bin';
for (const name of readdirSync(bin)) {
  const link = path.join(bin, name);
  try {
    statSync(link);
  } catch {
    rmSync(link);
  }
}
console.log(`Removed ${removed.length} development-only packages`);
