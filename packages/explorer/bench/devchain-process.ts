/** The dev chain in its own process for a benchmark (so it does not share the measured process's loop). */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { connect, type TfchainClient } from '@tfgrid/client';

export interface ChainProcess {
  client: TfchainClient;
  /** Disconnects, stops the chain and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts bin/devchain.js with `args` on a port around `basePort` and connects once it answers. */
export async function startChainProcess(args: string[], basePort: number, nodeArgs: string[] = []): Promise<ChainProcess> {
  const port = basePort + Math.floor(Math.random() * 90);
  const node: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, path.join(__dirname, '../../devchain/bin/devchain.js'), ...args, '--port', String(port), '--log-level', 'warn'],
    { stdio: 'inherit' },
  );
  const exited = new Promise((r) => node.once('exit', r));
  const kill = async (): Promise<void> => {
    node.kill('SIGTERM');
    await exited;
  };
  try {
    for (let i = 0; ; i++) {
      try {
        const client = await connect({ url: `ws://127.0.0.1:${port}` });
        return { client, stop: async () => (await client.disconnect().catch(() => undefined), await kill()) };
      } catch (e) {
        if (i > 60) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } catch (e) {
    await kill();
    throw e;
  }
}
