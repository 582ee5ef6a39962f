// Regenerates .env.example and the README's configuration table from src/config/settings.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderConfigTable, renderEnvExample } from '../src/config/render-docs.ts';

const root = path.resolve(import.meta.dirname, '..');
writeFileSync(path.join(root, '.env.example'), renderEnvExample());
const readmePath = path.join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const updated = readme.replace(
  /(<!-- config-table:start -->)[\s\S]*?(<!-- config-table:end -->)/,
  `$1\n${renderConfigTable()}\n$2`,
);
writeFileSync(readmePath, updated);
console.log('wrote .env.example and the README configuration table');
