import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.ts';
import {
  ModelNotFoundError,
  modelDirectory,
  readManifest,
  resolveModel,
} from '../../embedding/model-store.ts';
import { UsageError, type Command } from '../command.ts';

const USAGE = `Usage: embedstream model info [--json]

Prints the manifest of the pulled embedding model: where it came from, when, and the size and
sha256 of each file. Exit code 1 when the model has not been pulled.

  --json   print manifest.json as is`;

export const modelInfoCommand: Command = {
  path: ['model', 'info'],
  summary: 'Show where the pulled embedding model came from and the sha256 of its files',
  usage: USAGE,
  run(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: { json: { type: 'boolean' } },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    const config = loadConfig();
    try {
      resolveModel(config);
    } catch (err) {
      if (!(err instanceof ModelNotFoundError)) throw err;
      console.error(err.message);
      return Promise.resolve(1);
    }
    const dir = modelDirectory(config);
    const manifest = readManifest(dir)!;
    if (values.json) {
      console.log(JSON.stringify(manifest, null, 2));
      return Promise.resolve(0);
    }
    const width = Math.max(...Object.keys(manifest.files).map((n) => n.length));
    const lines = [
      `${manifest.model} in ${dir}`,
      `source:  ${manifest.source}`,
      `created: ${manifest.createdAt}`,
      `in use:  ${config.precision === 'int8' ? 'model-int8.onnx' : 'model.onnx'} (EMBED_PRECISION=${config.precision})`,
      'files:',
      ...Object.entries(manifest.files).map(
        ([name, f]) => `  ${name.padEnd(width)}  ${String(f.bytes).padStart(10)} bytes  sha256 ${f.sha256}`,
      ),
      ...(manifest.notes.length > 0 ? ['notes:', ...manifest.notes.map((n) => `  - ${n}`)] : []),
      ...(manifest.skippedSources.length > 0
        ? ['sources passed over:', ...manifest.skippedSources.map((s) => `  - ${s.source}: ${s.reason}`)]
        : []),
    ];
    console.log(lines.join('\n'));
    return Promise.resolve(0);
  },
};
