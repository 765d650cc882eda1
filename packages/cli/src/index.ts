/** @tfgrid/cli: the `tfgrid` command line; `main(argv, io)` runs it in-process (tests, embedding). */
export { main, usage, commandHelp, GLOBAL_OPTIONS } from './main';
export { COMMANDS } from './commands';
export type { Command, OptionSpec, Args } from './command';
export type { Io, Output } from './io';
export { UsageError, CliFailure } from './errors';
export { explainChainError } from './explain';
export { EXPLORERS } from './context';
export { readDeploymentFile, type DeploymentFile } from './deployfile';
export { parseSize, parseTft, formatTft } from './units';
