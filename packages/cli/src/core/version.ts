/** The CLI's version: the one in its package.json (read once, at load). */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const VERSION: string = (JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { version: string })
  .version;
