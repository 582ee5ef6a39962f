import os from 'node:os';
import { settings, type Setting } from './settings.ts';

const all = Object.values(settings) as Setting<unknown>[];

/** Defaults under the home directory are shown as `~/…`, the same on every machine. */
function shown(value: string): string {
  const home = os.homedir();
  return value.startsWith(`${home}/`) ? `~${value.slice(home.length)}` : value;
}

/** `.env.example`: every setting, commented out at its default, with its meaning. */
export function renderEnvExample(): string {
  const lines = [
    '# embedstream settings. Every variable is optional: the defaults below point at the local stack',
    '# (npm run stack:up). Copy to .env or export them; invalid values stop the process with the fix.',
    '',
  ];
  for (const s of all) lines.push(`# ${s.doc}`, `# ${s.env}=${shown(s.default)}`, '');
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The README's configuration table (between the config-table markers). */
export function renderConfigTable(): string {
  const rows = all.map(
    (s) => `| \`${s.env}\` | ${s.default === '' ? '(empty)' : `\`${shown(s.default)}\``} | ${s.doc} |`,
  );
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
