/** A free TCP port on 127.0.0.1: the test kit's (kept here for the benchmarks that import it). */
export { freePort } from '@tfgrid/testkit';
