/** What the node has: capacity measured from /proc and /sys, its disks, interfaces, CPUs, memory and platform. */
export { measure, reservedFor, formatHardware, SYSTEM_SSD_RESERVE, GiB, type Hardware, type Resources } from './capacity';
export { scanDisks, type Disk, type DiskKind, type SkippedDisk } from './disks';
export { medianRandomReadMs, SSD_MAX_MEDIAN_MS } from './disk-latency';
export { scanInterfaces, type NetInterface } from './network';
export { logicalCpus, countRange } from './cpu';
export { totalMemory } from './memory';
export { serialNumber, secureBoot, virtualization, type Virtualization } from './platform';
