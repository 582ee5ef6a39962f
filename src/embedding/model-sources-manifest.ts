import fs from 'node:fs';
import path from 'node:path';
import { digestFile, type FileDigest } from './model-sources-hash.ts';
import { MODEL_FILES, type ModelFileName, type StagedModel } from './model-sources.ts';

/** manifest.json of a pulled model: where it came from and the sha256 of every file. */
export interface ModelManifest {
  model: string;
  source: string;
  createdAt: string;
  files: Record<ModelFileName, FileDigest>;
  notes: string[];
  /** Sources tried before the one that worked, with the reason each was passed over. */
  skippedSources: { source: string; reason: string }[];
}

export function readManifest(dir: string): ModelManifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as ModelManifest;
  } catch {
    return undefined;
  }
}

/** The manifest when every file it lists is present with its recorded sha256, else why not. */
export async function verifyInstalled(dir: string): Promise<ModelManifest | string> {
  const manifest = readManifest(dir);
  if (!manifest) return 'no manifest.json';
  for (const name of MODEL_FILES) {
    const want = manifest.files?.[name];
    const p = path.join(dir, name);
    if (!want || !fs.existsSync(p)) return `${name} is missing`;
    const got = await digestFile(p);
    if (got.sha256 !== want.sha256 || got.bytes !== want.bytes)
      return `${name} does not match its recorded sha256`;
  }
  return manifest;
}

/** Moves staged files (copies those outside the staging area) into `dir` and writes the manifest last. */
export async function installModel(
  dir: string,
  staged: StagedModel,
  stagingRoot: string,
  skipped: ModelManifest['skippedSources'],
  model: string,
): Promise<ModelManifest> {
  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(path.join(dir, 'manifest.json'), { force: true });
  const files = {} as Record<ModelFileName, FileDigest>;
  for (const name of MODEL_FILES) {
    const from = staged.files[name]!;
    const tmp = path.join(dir, `.${name}.tmp`);
    if (path.resolve(from).startsWith(path.resolve(stagingRoot) + path.sep)) fs.renameSync(from, tmp);
    else fs.copyFileSync(from, tmp);
    fs.renameSync(tmp, path.join(dir, name));
    files[name] = await digestFile(path.join(dir, name));
  }
  const manifest: ModelManifest = {
    model,
    source: staged.origin,
    createdAt: new Date().toISOString(),
    files,
    notes: staged.notes,
    skippedSources: skipped,
  };
  const tmp = path.join(dir, '.manifest.json.tmp');
  fs.writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  fs.renameSync(tmp, path.join(dir, 'manifest.json'));
  return manifest;
}
