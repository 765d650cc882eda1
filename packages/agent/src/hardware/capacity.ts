/** The machine's capacity (CRU, MRU, SRU, HRU) and what the system keeps for itself. */
import { reservedCapacity, type Resources } from '@tfgrid/client';
import { cpuModel, logicalCpus } from './cpu';
import { scanDisks, type Disk, type SkippedDisk } from './disks';
import { totalMemory } from './memory';
import { scanInterfaces, type NetInterface } from './network';
import { secureBoot, serialNumber, virtualization } from './platform';

export const GiB = 1024 ** 3;

/** Sizes in bytes, cru in logical CPUs: the client's (the chain's) `Resources`. */
export type { Resources };

export interface Hardware {
  total: Resources;
  reserved: Resources;
  disks: Disk[];
  skippedDisks: SkippedDisk[];
  interfaces: NetInterface[];
  cpuModel?: string;
  serialNumber?: string;
  secureBoot: boolean;
  virtualized: boolean;
  virtualizationEvidence: string[];
}

/** What the system keeps for itself: the client's one computation, also used by the explorer's free capacity. */
export { SYSTEM_SSD_RESERVE, reservedCapacity as reservedFor } from '@tfgrid/client';

/** Reads everything from the machine whose filesystem root is `root` ('/' for this one). */
export function measure(root = '/'): Hardware {
  const { disks, skipped } = scanDisks(root);
  const total: Resources = {
    cru: logicalCpus(root),
    mru: totalMemory(root),
    sru: disks.filter((d) => d.kind === 'ssd').reduce((s, d) => s + d.size, 0),
    hru: disks.filter((d) => d.kind === 'hdd').reduce((s, d) => s + d.size, 0),
  };
  const virt = virtualization(root);
  const model = cpuModel(root);
  const serial = serialNumber(root);
  return {
    total,
    reserved: reservedCapacity(total),
    disks,
    skippedDisks: skipped,
    interfaces: scanInterfaces(root),
    ...(model ? { cpuModel: model } : {}),
    ...(serial ? { serialNumber: serial } : {}),
    secureBoot: secureBoot(root),
    virtualized: virt.virtualized,
    virtualizationEvidence: virt.evidence,
  };
}

/** A human summary for `tfgrid-agent capacity`. */
export function formatHardware(h: Hardware): string {
  const gib = (b: number): string => `${(b / GiB).toFixed(2)} GiB`;
  const lines = [
    `CRU  ${h.total.cru} logical CPUs${h.cpuModel ? ` (${h.cpuModel})` : ''}`,
    `MRU  ${gib(h.total.mru)} (reserved ${gib(h.reserved.mru)})`,
    `SRU  ${gib(h.total.sru)} (reserved ${gib(h.reserved.sru)})`,
    `HRU  ${gib(h.total.hru)}`,
    'disks:',
    ...h.disks.map((d) => `  ${d.name}  ${d.kind.toUpperCase()}  ${gib(d.size)}  (by ${d.classifiedBy})${d.model ? `  ${d.model}` : ''}`),
    ...h.skippedDisks.map((d) => `  ${d.name}  skipped: ${d.reason}`),
    'interfaces:',
    ...h.interfaces.map((i) => `  ${i.name}  ${i.mac}  ${i.ips.join(' ') || '-'}`),
    `serial       ${h.serialNumber ?? 'unknown (not readable)'}`,
    `secure boot  ${h.secureBoot ? 'on' : 'off'}`,
    `virtualized  ${h.virtualized ? `yes (${h.virtualizationEvidence.join(', ')})` : 'no'}`,
  ];
  return lines.join('\n');
}
