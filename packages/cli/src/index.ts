/**
 * @tfgrid/cli: the `tfgrid` command line (bin/tfgrid.js runs src/cli.ts); `main(argv, io)` runs it
 * in-process (tests, embedding), writing through `io` and answering the exit code.
 */
export { main } from './main';
export type { Io, Output } from './core/io';
export { UsageError, CliFailure } from './core/errors';
