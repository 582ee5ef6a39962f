import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.ts';
import { runService, type Role } from '../../service/run-service.ts';
import { UsageError, type Command } from '../command.ts';

const ROLES: readonly Role[] = ['worker', 'consumer', 'all'];

export const runCommand: Command = {
  path: ['run'],
  summary: 'Run workers and/or consumers until stopped (Ctrl-C)',
  usage: `Usage: embedstream run [--role worker|consumer|all]

  worker    Temporal workers of the ingest and search task queues (embedding engine, Qdrant writes),
            and the queries consumer, which starts each search eagerly on the search worker beside it
  consumer  the documents consumer, handing document batches to ingest workflows
  all       both in one process (default)

Each process serves /healthz, /readyz and /metrics on HTTP_PORT. Run more processes to scale out.`,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { role: { type: 'string', default: 'all' } } });
    const role = values.role as Role;
    if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}.`);
    const config = loadConfig();
    const service = await runService(config, role);
    console.log(`embedstream ${role} running; /healthz /readyz /metrics on http://127.0.0.1:${service.port}`);
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) {
        console.error(`${signal} again: exiting now`);
        process.exit(130);
      }
      console.log(`${signal}: shutting down (again to force)…`);
      void service.stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    await service.done;
    console.log('stopped');
  },
};
