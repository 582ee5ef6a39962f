import fs from 'node:fs';
import { once } from 'node:events';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.ts';
import {
  createEmbedder,
  EmptyTextError,
  ModelNotFoundError,
  type EmbedOutcome,
} from '../../embedding/index.ts';
import { ProgressBar } from '../progress.ts';
import { UsageError, type Command } from '../command.ts';

const USAGE = `Usage: embedstream embed --input FILE --output FILE [--chunk N]

Embeds every line {"id": …, "text": "…"} of the input (JSON Lines; "-" reads stdin) and writes
{"id": …, "vector": [ … ]} lines in the same order (- writes stdout), with the engine the workers use
(EMBED_PRECISION, EMBED_THREADS, EMBED_TOKEN_BUDGET_MIN/MAX, …). Lines that cannot be embedded
(empty text, bad JSON) are reported on stderr with their line number and left out; the exit code
is then 1.

  --input FILE    JSON Lines of {id, text}
  --output FILE   JSON Lines of {id, vector}
  --chunk N       texts handed to the engine per call (default 512); several calls stay in flight
                  so the batcher always has texts of many lengths to pack`;

/** Calls kept in flight: enough for the batcher to sort and pack, few enough to bound memory. */
const IN_FLIGHT = 4;

interface Line {
  lineNo: number;
  id: unknown;
  text: string;
}

function parseLine(raw: string, lineNo: number): Line | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return 'not valid JSON';
  }
  const rec = value as { id?: unknown; text?: unknown } | null;
  if (!rec || typeof rec !== 'object' || rec.id === undefined || typeof rec.text !== 'string')
    return 'expected an object with "id" and a string "text"';
  return { lineNo, id: rec.id, text: rec.text };
}

async function countLines(file: string): Promise<number | undefined> {
  if (file === '-') return undefined;
  let n = 0;
  for await (const chunk of fs.createReadStream(file))
    for (const byte of chunk as Buffer) if (byte === 10) n++;
  return n;
}

export const embedCommand: Command = {
  path: ['embed'],
  summary: 'Embed a JSON Lines file of {id, text} into {id, vector} with the embedding engine',
  usage: USAGE,
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          input: { type: 'string' },
          output: { type: 'string' },
          chunk: { type: 'string', default: '512' },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    if (!values.input || !values.output) throw new UsageError('Give both --input and --output.');
    const chunk = Number(values.chunk);
    if (!Number.isInteger(chunk) || chunk < 1)
      throw new UsageError(`--chunk "${values.chunk}" must be a positive integer.`);
    if (values.input !== '-' && !fs.existsSync(values.input))
      throw new UsageError(`--input ${values.input} does not exist.`);

    const config = loadConfig();
    let embedder;
    try {
      embedder = await createEmbedder(config);
    } catch (err) {
      if (err instanceof ModelNotFoundError) {
        console.error(err.message);
        return 1;
      }
      throw err;
    }
    const input = values.input === '-' ? process.stdin : fs.createReadStream(values.input);
    const output = values.output === '-' ? process.stdout : fs.createWriteStream(values.output);
    const progress = new ProgressBar('embed', await countLines(values.input));
    let failures = 0;
    const fail = (lineNo: number, reason: string) => {
      failures++;
      console.error(`line ${lineNo}: ${reason}`);
    };
    const write = async (text: string) => {
      if (!output.write(text)) await once(output, 'drain');
    };

    // Calls complete in submission order, so lines come out in input order.
    const inFlight: { lines: Line[]; outcomes: Promise<EmbedOutcome[]> }[] = [];
    const drainOne = async () => {
      const call = inFlight.shift();
      if (!call) return;
      const outcomes = await call.outcomes;
      let out = '';
      call.lines.forEach((line, i) => {
        const o = outcomes[i]!;
        if (o.ok) out += `${JSON.stringify({ id: line.id, vector: Array.from(o.vector) })}\n`;
        else
          fail(
            line.lineNo,
            o.error instanceof EmptyTextError ? 'the text is empty or whitespace only' : o.error.message,
          );
      });
      await write(out);
      progress.tick(call.lines.length);
    };
    const submit = async (lines: Line[]) => {
      inFlight.push({ lines, outcomes: embedder.embedDocumentsSettled(lines.map((l) => l.text)) });
      if (inFlight.length >= IN_FLIGHT) await drainOne();
    };

    try {
      let pending: Line[] = [];
      let lineNo = 0;
      for await (const raw of readline.createInterface({ input, crlfDelay: Infinity })) {
        lineNo++;
        if (raw.trim() === '') continue;
        const parsed = parseLine(raw, lineNo);
        if (typeof parsed === 'string') {
          fail(lineNo, parsed);
          progress.tick();
          continue;
        }
        pending.push(parsed);
        if (pending.length >= chunk) {
          await submit(pending);
          pending = [];
        }
      }
      if (pending.length > 0) await submit(pending);
      while (inFlight.length > 0) await drainOne();
    } finally {
      await embedder.close();
      if (output !== process.stdout) {
        output.end();
        await once(output, 'finish');
      }
    }
    const s = embedder.stats();
    progress.done('texts');
    console.error(
      `${s.texts} embedded in ${s.batches} batches (padding ${(s.paddingRatio * 100).toFixed(1)} %, budget ${s.budget} tokens, ${s.dedupHits} duplicates reused)`,
    );
    if (failures > 0) {
      console.error(`${failures} line(s) could not be embedded (see above); fix or drop them and run again.`);
      return 1;
    }
    return 0;
  },
};
