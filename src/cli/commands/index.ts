import type { Command } from '../command.ts';
import { embedCommand } from './embed.ts';
import { ingestCommand } from './ingest.ts';
import { runCommand } from './run.ts';
import { searchCommand } from './search.ts';
import { statusCommand } from './status.ts';
import { tracesReportCommand } from './traces-report.ts';

/** Every sub-command, in the order `embedstream help` lists them. */
export const commands: readonly Command[] = [runCommand, ingestCommand, searchCommand, statusCommand, embedCommand, tracesReportCommand];
