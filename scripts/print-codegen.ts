// Prints what `npm run codegen` would write, as JSON, without writing it: the staleness
// test compares it with the committed files (codegen's plugins cannot load inside Jest).
import { generate } from '@graphql-codegen/cli';
import config from '../codegen.js';

// generate() is typed loosely (it also serves watch mode).
const outputs = (await generate({ ...config, silent: true }, false)) as Array<{ filename: string; content: string }>;
process.stdout.write(JSON.stringify(outputs.map(({ filename, content }) => ({ filename, content }))));
