// npm run docs:errors: writes docs/errors.md from the error registry (packages/errors/src/codes.ts).
import { writeFileSync } from 'node:fs';
import { errorsDocument } from '@shop/errors/document';

writeFileSync(new URL('../docs/errors.md', import.meta.url), errorsDocument());
console.log('Wrote docs/errors.md');
