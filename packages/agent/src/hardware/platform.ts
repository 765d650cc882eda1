/** Board serial, secure boot and virtualization, from DMI, efivars and the CPU flags. */
import { at, readBytes, readLine } from './fs';
import { hypervisorFlag } from './cpu';

/** Placeholder strings vendors leave in DMI fields. */
const PLACEHOLDERS =
  /^(|0+|none|n\/a|na|not specified|not applicable|default string|to be filled by o\.e\.m\.|system serial number|chassis serial number|0123456789|123456789)$/i;

/** The board serial (else the product serial) when readable and meaningful (DMI serials are root-only). */
export function serialNumber(root: string): string | undefined {
  for (const f of ['board_serial', 'product_serial']) {
    const v = readLine(at(root, `/sys/class/dmi/id/${f}`));
    if (v !== undefined && !PLACEHOLDERS.test(v)) return v.slice(0, 128);
  }
  return undefined;
}

const SECURE_BOOT = '/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c';

/** Secure boot state: the efivar is 4 attribute bytes then 1 value byte; false when not readable (BIOS boot). */
export function secureBoot(root: string): boolean {
  const b = readBytes(at(root, SECURE_BOOT));
  return !!b && b.length >= 5 && b[4] === 1;
}

const VM_VENDORS =
  /qemu|kvm|vmware|innotek|virtualbox|xen|virtual machine|amazon ec2|google|digitalocean|hetzner|openstack|parallels|bochs|nutanix|red hat/i;

export interface Virtualization {
  virtualized: boolean;
  /** What said so: the CPU's hypervisor flag, or the DMI vendor/product. */
  evidence: string[];
}

export function virtualization(root: string): Virtualization {
  const evidence: string[] = [];
  if (hypervisorFlag(root)) evidence.push('cpu flag hypervisor');
  for (const f of ['sys_vendor', 'product_name', 'board_vendor']) {
    const v = readLine(at(root, `/sys/class/dmi/id/${f}`));
    if (v && VM_VENDORS.test(v)) evidence.push(`dmi ${f} ${v}`);
  }
  return { virtualized: evidence.length > 0, evidence };
}
