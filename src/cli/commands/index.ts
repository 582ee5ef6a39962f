import type { Command } from '../command.ts';

/** Every sub-command, in the order `embedstream help` lists them. */
export const commands: readonly Command[] = [];
