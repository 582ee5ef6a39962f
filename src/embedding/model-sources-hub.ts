import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  SourceUnavailableError,
  type ModelFileName,
  type ModelSource,
  type SourceContext,
} from './model-sources.ts';
import { sha256File } from './model-sources-hash.ts';

export interface HubFile {
  /** Path in the hub repository. */
  path: string;
  /** Name in the model directory. */
  as: ModelFileName;
  bytes: number;
  sha256: string;
}

export interface HubSpec {
  repo: string;
  revision: string;
  files: HubFile[];
}

/**
 * Xenova/all-MiniLM-L6-v2, the ONNX port of sentence-transformers/all-MiniLM-L6-v2 (the hashes are
 * those of its LFS pointers). Its own int8 export is taken as model-int8.onnx, so this route needs
 * no Python at all.
 */
export const MINILM_HUB: HubSpec = {
  repo: 'Xenova/all-MiniLM-L6-v2',
  revision: 'main',
  files: [
    {
      path: 'onnx/model.onnx',
      as: 'model.onnx',
      bytes: 90387606,
      sha256: '759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e',
    },
    {
      path: 'onnx/model_quantized.onnx',
      as: 'model-int8.onnx',
      bytes: 22972370,
      sha256: 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1',
    },
    {
      path: 'tokenizer.json',
      as: 'tokenizer.json',
      bytes: 711661,
      sha256: 'da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0',
    },
    {
      path: 'config.json',
      as: 'config.json',
      bytes: 650,
      sha256: '7135149f7cffa1a573466c6e4d8423ed73b62fd2332c575bf738a0d033f70df7',
    },
  ],
};

async function download(ctx: SourceContext, url: string, file: HubFile, target: string): Promise<void> {
  let response: Response;
  try {
    response = await ctx.fetch(url);
  } catch (err) {
    const cause =
      err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    throw new SourceUnavailableError(`cannot reach ${url}: ${cause}`);
  }
  if (!response.ok || !response.body)
    throw new SourceUnavailableError(`${url} answered HTTP ${response.status}`);
  const total = Number(response.headers.get('content-length')) || file.bytes;
  const hash = createHash('sha256');
  const part = `${target}.part`;
  const out = await fs.promises.open(part, 'w');
  let done = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      await out.write(chunk);
      done += chunk.length;
      ctx.emit({ type: 'bytes', label: file.as, done, total });
    }
  } finally {
    await out.close();
  }
  const sha256 = hash.digest('hex');
  if (sha256 !== file.sha256 || done !== file.bytes) {
    fs.rmSync(part, { force: true });
    throw new SourceUnavailableError(
      `${url} gave ${done} bytes with sha256 ${sha256}; expected ${file.bytes} bytes with sha256 ${file.sha256}`,
    );
  }
  fs.renameSync(part, target);
}

/**
 * The Hugging Face hub over HTTPS (HF_ENDPOINT). Every file is checked against its known sha256 and
 * kept in the download cache, so an interrupted pull only fetches what is still missing.
 */
export function hubSource(endpoint: string, spec: HubSpec = MINILM_HUB): ModelSource {
  return {
    name: `Hugging Face hub ${spec.repo}`,
    async obtain(ctx) {
      const dir = path.join(ctx.downloadDir, 'hf', spec.repo.replace('/', '--'), spec.revision);
      const files: Partial<Record<ModelFileName, string>> = {};
      for (const file of spec.files) {
        const target = path.join(dir, file.path);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        if (!(fs.existsSync(target) && (await sha256File(target)) === file.sha256)) {
          const url = `${endpoint.replace(/\/+$/, '')}/${spec.repo}/resolve/${spec.revision}/${file.path}`;
          ctx.emit({ type: 'step', message: `downloading ${url}` });
          await download(ctx, url, file, target);
        }
        files[file.as] = target;
      }
      const [model, tokenizer, config] = [files['model.onnx'], files['tokenizer.json'], files['config.json']];
      if (!model || !tokenizer || !config)
        throw new SourceUnavailableError(`${spec.repo} spec lacks model.onnx, tokenizer.json or config.json`);
      return {
        origin: `Hugging Face hub ${spec.repo}@${spec.revision}`,
        files: { ...files, 'model.onnx': model, 'tokenizer.json': tokenizer, 'config.json': config },
        notes: files['model-int8.onnx'] ? [`model-int8.onnx is ${spec.repo}'s own int8 export`] : [],
      };
    },
  };
}
