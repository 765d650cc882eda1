/** The command table: every `tfgrid` command, in help order. */
import type { Command } from '../core/command';
import { accountCommands } from './account';
import { contractCommands } from './contracts';
import { deployCommands } from './deploy';
import { farmCommands } from './farm';
import { networkCommands } from './network';
import { nodeCommands } from './node';
import { nodesCommands } from './nodes';
import { statusCommands } from './status';
import { twinCommands } from './twin';

// (For tests: how a node's answer and a network's results read.)
export { answerLines } from './deploy';
export { resultLines } from './network-wait';

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
