/** The `tfgrid` binary: runs main with the process's arguments and exits with its code. */
import { main } from './main';

// @polkadot's logger writes connection chatter through console; the CLI speaks only through
// its own stdout/stderr lines (TFGRID_DEBUG=1 keeps the chatter).
if (!process.env.TFGRID_DEBUG) for (const k of ['log', 'info', 'warn', 'error', 'debug'] as const) console[k] = () => undefined;

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
