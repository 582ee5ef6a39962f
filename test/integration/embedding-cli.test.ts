import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../bin/embedstream.js');

describe('embedstream embed', () => {
  it('when given JSON Lines of {id, text}, then it writes {id, vector} in input order and reports the bad lines', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embed-cli-'));
    const input = path.join(dir, 'in.jsonl');
    const output = path.join(dir, 'out.jsonl');
    const good = Array.from({ length: 40 }, (_, i) => ({
      id: `doc-${i}`,
      text: `Document number ${i} ${'about statins and breast cancer '.repeat(i % 7)}`,
    }));
    const lines = [
      ...good.slice(0, 20).map((r) => JSON.stringify(r)),
      '{"id": 7, "text": "   "}',
      'not json',
      ...good.slice(20).map((r) => JSON.stringify(r)),
    ];
    fs.writeFileSync(input, `${lines.join('\n')}\n`);
    try {
      const result = await run(process.execPath, [
        BIN,
        'embed',
        '--input',
        input,
        '--output',
        output,
        '--chunk',
        '16',
      ]).catch((err: { code: number; stderr: string }) => err);
      expect('code' in result ? result.code : 0).toBe(1);
      expect(result.stderr).toContain('line 21: the text is empty or whitespace only');
      expect(result.stderr).toContain('line 22: not valid JSON');
      const out = fs
        .readFileSync(output, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: string; vector: number[] });
      expect(out.map((r) => r.id)).toEqual(good.map((r) => r.id));
      for (const r of out) {
        expect(r.vector).toHaveLength(384);
        expect(Math.abs(r.vector.reduce((s, x) => s + x * x, 0) - 1)).toBeLessThan(1e-4);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when an option is missing, then it exits 2 with the usage', async () => {
    const err = await run(process.execPath, [BIN, 'embed', '--input', 'x.jsonl']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect('code' in err ? err.code : 0).toBe(2);
    expect(err.stderr).toContain('Usage: embedstream embed');
  });
});
