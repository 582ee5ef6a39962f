import type { Command } from '../command.ts';
import { demoCommand } from './demo.ts';
import { embedCommand } from './embed.ts';
import { evalCommand } from './eval.ts';
import { ingestCommand } from './ingest.ts';
import { modelInfoCommand } from './model-info.ts';
import { modelPullCommand } from './model-pull.ts';
import { publishCommand } from './publish.ts';
import { queryCommand } from './query.ts';
import { runCommand } from './run.ts';
import { searchCommand } from './search.ts';
import { statusCommand } from './status.ts';
import { topicsCreateCommand, topicsListCommand } from './topics.ts';
import { tracesReportCommand } from './traces-report.ts';

/** Every sub-command, in the order `embedstream help` lists them. */
export const commands: readonly Command[] = [
  demoCommand,
  runCommand,
  topicsCreateCommand,
  topicsListCommand,
  publishCommand,
  queryCommand,
  ingestCommand,
  searchCommand,
  evalCommand,
  statusCommand,
  embedCommand,
  modelPullCommand,
  modelInfoCommand,
  tracesReportCommand,
];
