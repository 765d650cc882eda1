/** Images by content hash for zmachines: the cache, its refusals, and the busybox image builder. */
export { ImageStore, IMAGE_DEFAULTS, type ImageStoreOptions } from './store';
export { ImageError, type ImageErrorCode } from './errors';
export { checkImageRef, isFlistUrl, flistError, type ImageRef } from './source';
export { buildBusyboxImage, BUSYBOX } from './busybox';
export { MAX_PATH_BYTES, MAX_NAME_BYTES, MAX_DEPTH } from './entry-path';
export { MAX_LAYERS } from './oci';
