/** `ip`, `wg` and `wireguard-go`, run without a shell; a failure becomes a NetworkError with the tool's own words. */
import { runRaw, toolMessage, type ToolFailure } from '../workloads/disk/run';
import { NetworkError } from './errors';

export async function net(cmd: string, args: string[]): Promise<string> {
  try {
    return await runRaw(cmd, args);
  } catch (e) {
    const f = e as ToolFailure;
    throw new NetworkError(f.code === 'ENOENT' ? 'missing-tool' : 'command-failed', `${cmd} ${args.join(' ')} failed: ${toolMessage(f)}`);
  }
}

/** For teardown and probes: undefined where the tool found nothing (or failed). */
export async function tryNet(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    return await runRaw(cmd, args);
  } catch {
    return undefined;
  }
}

/** `ip -n <ns> …` */
export const ipIn = (ns: string, args: string[]): Promise<string> => net('ip', ['-n', ns, ...args]);

/** A command inside a namespace. */
export const inNs = (ns: string, argv: string[]): Promise<string> => net('ip', ['netns', 'exec', ns, ...argv]);
