// Prints what `npm run codegen` would write, as JSON, without writing it: the staleness
// test compares it with the committed files (codegen's plugins cannot load inside Jest).
import { generate } from '@graphql-codegen/cli';
import config from '../codegen.js';

const outputs = await generate({ ...config, silent: true }, false);
process.stdout.write(JSON.stringify(outputs.map(({ filename, content }) => ({ filename, content }))));
