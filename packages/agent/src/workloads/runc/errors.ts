/** Why the container runtime could not do what a zmachine needs; `code` says what went wrong. */
import { CodedError } from '../../core/coded-error';
export type RuntimeErrorCode =
  /** The machine names no command to run. */
  | 'no-entrypoint'
  /** The machine has no image (an flist is refused with the ImageStore's own 'flist' error). */
  | 'no-image'
  /** The kernel did not take the memory or CPU limit (read back from the cgroup after create). */
  | 'limits-not-applied'
  /** The node-local network (bridge, namespace, veth, address) could not be set up. */
  | 'network'
  /** runc, ip or mount failed. */
  | 'command-failed'
  /** The id, a size or a name is not acceptable. */
  | 'invalid-spec';

export class RuntimeError extends CodedError<RuntimeErrorCode> {}
