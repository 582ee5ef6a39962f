import type { Command } from '../command.ts';
import { embedCommand } from './embed.ts';
import { tracesReportCommand } from './traces-report.ts';

/** Every sub-command, in the order `embedstream help` lists them. */
export const commands: readonly Command[] = [embedCommand, tracesReportCommand];
