/** System tools of the container runtime (runc, ip, mount), run without a shell; failures carry the tool's own words. */
import { runRaw, toolMessage, type ToolFailure } from '../disk/run';
import { RuntimeError, type RuntimeErrorCode } from './errors';

/** stdout of `cmd args`, or a RuntimeError naming the command and what it printed. */
export async function tool(cmd: string, args: string[], code: RuntimeErrorCode = 'command-failed'): Promise<string> {
  try {
    return await runRaw(cmd, args);
  } catch (e) {
    throw new RuntimeError(code, `${cmd} ${args.join(' ')} failed: ${toolMessage(e as ToolFailure)}`);
  }
}

/** Like tool() but a failure is only the tool's text (for teardown steps that may find nothing to undo). */
export async function tryTool(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    return await runRaw(cmd, args);
  } catch {
    return undefined;
  }
}
