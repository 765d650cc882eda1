/** Usage reports: contract resources on every change, network usage batched from a persistent queue. */
export { ResourceReporter, type ResourceReporterOptions } from './resources';
export { NruQueue, NRU_FILE, type NruQueueOptions } from './nru';
export { txErrorName, isPermanent } from './tx-error';
