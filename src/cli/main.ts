import { ConfigError } from '../config/index.ts';
import { DimensionMismatchError } from '../qdrant/index.ts';
import { NoWorkerError, TemporalUnavailableError } from '../temporal/client.ts';
import { UsageError, type Command } from './command.ts';
import { commands } from './commands/index.ts';

function help(): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length), 4);
  const lines = commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return `Usage: embedstream <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "embedstream <command> --help" for a command's options.`;
}

function find(argv: string[]): { cmd: Command; rest: string[] } | undefined {
  let best: { cmd: Command; rest: string[] } | undefined;
  for (const cmd of commands) {
    if (cmd.path.every((w, i) => argv[i] === w) && (!best || cmd.path.length > best.cmd.path.length))
      best = { cmd, rest: argv.slice(cmd.path.length) };
  }
  return best;
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    console.log(help());
    return 0;
  }
  const found = find(argv);
  if (!found) {
    console.error(`Unknown command "${argv.join(' ')}".\n\n${help()}`);
    return 2;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    console.log(found.cmd.usage);
    return 0;
  }
  try {
    return (await found.cmd.run(found.rest)) ?? 0;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${found.cmd.usage}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    if (
      err instanceof TemporalUnavailableError ||
      err instanceof NoWorkerError ||
      err instanceof DimensionMismatchError
    ) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
