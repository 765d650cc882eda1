/** Why an image could not be had; `message` is meant for the deployer (it lands in the workload's state). */
import { CodedError } from '../../core/coded-error';
export type ImageErrorCode =
  /** The URL or the sha256 given is not usable as written. */
  | 'invalid'
  /** No answer, a refused connection, an HTTP error status, or the download took longer than allowed. */
  | 'unreachable'
  /** The download or its unpacked contents exceed the node's limits. */
  | 'too-large'
  /** The bytes downloaded do not have the sha256 the deployment names. */
  | 'hash-mismatch'
  /** Not a tar / tar.gz / tar.zst / OCI image layout, or a broken one. */
  | 'malformed'
  /** An entry would land (or a link would point) outside the image's root. */
  | 'escapes-root'
  /** A Zero-OS flist, which this node does not boot. */
  | 'flist'
  /** The node's fetcher process died, could not start or ran past its deadline (a fault of the node, not of the image). */
  | 'fetcher-failed';

export class ImageError extends CodedError<ImageErrorCode> {}
