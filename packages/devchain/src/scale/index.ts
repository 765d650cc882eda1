/** SCALE: codecs that describe themselves as scale-info types, over a byte reader and writer. */
export * from './codec';
export { MAX_DECODE_DEPTH, Reader, ScaleError, Writer } from './io';
