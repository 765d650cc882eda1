/** Hardware readers on fixture trees: a bare-metal server, a KVM guest, a machine without DMI. */
import path from 'node:path';
import { SERVER_FIXTURE } from '@tfgrid/testkit';
import { measure, formatHardware, countRange, GiB } from '../src/hardware';

const fixture = (name: string): string => path.join(__dirname, 'fixtures', name);

test('bare-metal server: SSD and HDDs counted, removable, USB, loop, ram and zram skipped; DMI serial and secure boot', () => {
  const h = measure(SERVER_FIXTURE);
  expect(h.total).toEqual({ cru: 16, mru: 65536000 * 1024, sru: 1000 * GiB, hru: 8000 * GiB });
  expect(h.disks.map((d) => [d.name, d.kind, d.size / GiB])).toEqual([
    ['nvme0n1', 'ssd', 1000],
    ['sda', 'hdd', 4000],
    ['sdb', 'hdd', 4000],
  ]);
  expect(h.disks.every((d) => d.classifiedBy === 'rotational-flag')).toBe(true);
  expect(h.disks[0]!.model).toBe('Samsung SSD 980 PRO 1TB');
  expect(Object.fromEntries(h.skippedDisks.map((d) => [d.name, d.reason]))).toEqual({
    loop0: 'virtual (loop)',
    ram0: 'virtual (ram)',
    sdc: 'removable',
    sdd: 'usb',
    zram0: 'virtual (zram)',
  });
  // memory: 10 % of 62.5 GiB is above 2 GiB; SSD: the 20 GiB system share
  expect(h.reserved).toEqual({ cru: 0, mru: Math.floor((65536000 * 1024) / 10), sru: 20 * GiB, hru: 0 });
  expect(h.interfaces).toEqual([{ name: 'enp3s0', mac: '0c:c4:7a:12:34:56', ips: [] }]); // docker0 and lo are virtual
  expect(h.serialNumber).toBe('ZM19AS001234');
  expect(h.secureBoot).toBe(true);
  expect(h.virtualized).toBe(false);
  expect(h.cpuModel).toBe('Test CPU @ 2.40GHz');
});

test('KVM guest: virtualization from the hypervisor flag and the DMI vendor; placeholder serials ignored', () => {
  const h = measure(fixture('vm'));
  expect(h.total).toEqual({ cru: 4, mru: 8 * GiB, sru: 200 * GiB, hru: 0 });
  expect(h.virtualized).toBe(true);
  expect(h.virtualizationEvidence).toEqual(['cpu flag hypervisor', 'dmi sys_vendor QEMU']);
  expect(h.serialNumber).toBeUndefined();
  expect(h.secureBoot).toBe(false); // the efivar says 0
  expect(h.reserved.mru).toBe(2 * GiB); // 10 % of 8 GiB is below the 2 GiB floor
  expect(h.skippedDisks).toEqual([{ name: 'sr0', reason: 'virtual (sr)' }]);
  expect(h.interfaces).toEqual([{ name: 'ens3', mac: '52:54:00:12:34:56', ips: [] }]);
});

test('no DMI, no EFI, no processor lines: CPUs from sysfs, no serial, not virtualized; small SSD fully reserved', () => {
  const h = measure(fixture('no-dmi'));
  expect(h.total).toEqual({ cru: 6, mru: 4 * GiB, sru: 32 * GiB, hru: 2000 * GiB });
  expect(h.reserved).toEqual({ cru: 0, mru: 2 * GiB, sru: 20 * GiB, hru: 0 });
  expect(h.serialNumber).toBeUndefined();
  expect(h.secureBoot).toBe(false);
  expect(h.virtualized).toBe(false);
  expect(h.cpuModel).toBeUndefined();
});

test('an empty root measures nothing rather than failing', () => {
  const h = measure(fixture('does-not-exist'));
  expect(h.total).toEqual({ cru: 0, mru: 0, sru: 0, hru: 0 });
  expect(h.reserved).toEqual({ cru: 0, mru: 0, sru: 0, hru: 0 });
  expect(h.disks).toEqual([]);
});

test('kernel CPU lists', () => {
  expect(countRange('0-3,6-7')).toBe(6);
  expect(countRange('0')).toBe(1);
  expect(countRange('0-63\n')).toBe(64);
});

test('the capacity summary names every disk and what was skipped', () => {
  const text = formatHardware(measure(SERVER_FIXTURE));
  expect(text).toContain('CRU  16 logical CPUs');
  expect(text).toContain('nvme0n1  SSD  1000.00 GiB');
  expect(text).toContain('sdd  skipped: usb');
  expect(text).toContain('serial       ZM19AS001234');
});
