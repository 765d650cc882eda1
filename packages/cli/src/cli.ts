/** The `tfgrid` binary: runs main with the process's arguments and exits with its code. */
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // The chain connection may keep timers alive; the answer is written, so leave now.
    setImmediate(() => process.exit(code));
  },
  (e: unknown) => {
    process.stderr.write(`tfgrid: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
