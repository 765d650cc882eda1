/** The command table: every `tfgrid` command, in help order. */
import type { Command } from '../command';
import { accountCommands } from './account';
import { contractCommands } from './contracts';
import { deployCommands } from './deploy';
import { farmCommands } from './farm';
import { networkCommands } from './network';
import { nodeCommands } from './node';
import { nodesCommands } from './nodes';
import { statusCommands } from './status';
import { twinCommands } from './twin';

export const COMMANDS: Command[] = [
  ...accountCommands,
  ...twinCommands,
  ...farmCommands,
  ...nodeCommands,
  ...nodesCommands,
  ...deployCommands,
  ...contractCommands,
  ...networkCommands,
  ...statusCommands,
];
