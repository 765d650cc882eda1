/** farm create|show|add-ip|remove-ip|rewards: a farmer's farm, its public IPv4 addresses and its farming rewards. */
import type { Farm, TfchainClient } from '@tfgrid/client';
import { list, str, type Command } from '../core/command';
import type { Context } from '../core/context';
import { CliFailure, UsageError } from '../core/errors';
import { fields, table } from '../core/io';
import { parseIntArg } from '../core/units';
import { required } from './account';
import { farmRewardsCommands } from './farm-rewards';

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function checkCidr(ip: string): string {
  const m = CIDR.exec(ip);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32)
    throw new UsageError(`--ip must be an IPv4 address in CIDR form like 185.206.122.33/24, got '${ip}'`);
  return ip;
}

function checkIp(ip: string, what: string): string {
  const m = IPV4.exec(ip);
  if (!m || m.slice(1).some((o) => Number(o) > 255))
    throw new UsageError(`${what} must be an IPv4 address like 185.206.122.1, got '${ip}'`);
  return ip;
}

/** --ip/--gw pairs; one --gw serves every --ip. */
function ipPairs(ips: string[], gws: string[]): { ip: string; gw: string }[] {
  if (ips.length && !gws.length) throw new UsageError('each --ip needs a --gw (the gateway of its subnet)');
  if (gws.length !== 1 && gws.length !== ips.length)
    throw new UsageError(`give one --gw for all IPs or one per --ip (${ips.length} IPs, ${gws.length} gateways)`);
  return ips.map((ip, i) => ({ ip: checkCidr(ip), gw: checkIp(gws[gws.length === 1 ? 0 : i]!, '--gw') }));
}

function farmLines(f: Farm, nodeIds: number[]): string[] {
  return [
    ...fields({
      farm: f.id,
      name: f.name,
      twin: f.twinId,
      'pricing policy': f.pricingPolicyId,
      certification: f.certification,
      dedicated: f.dedicated,
      nodes: nodeIds.length ? nodeIds.join(', ') : 'none',
    }),
    ...(f.publicIps.length
      ? [
          'public IPs:',
          ...table(
            ['IP', 'GATEWAY', 'CONTRACT'],
            f.publicIps.map((p) => [p.ip, p.gateway, p.contractId || 'free']),
          ).map((l) => `  ${l}`),
        ]
      : ['public IPs: none']),
  ];
}

async function farmById(c: TfchainClient, id: number): Promise<Farm> {
  const f = await c.farms.get(id);
  if (!f) throw new CliFailure(`there is no farm ${id}`, { kind: 'not-found', farmId: id });
  return f;
}

/** The farms of the signer's twin. */
async function myFarms(ctx: Context): Promise<Farm[]> {
  const pair = await ctx.pair();
  const c = await ctx.client();
  const twin = await c.twins.idOf(pair.address);
  if (twin === undefined) throw new CliFailure(`${pair.address} has no twin, hence no farm`, { kind: 'not-found' });
  return c.farms.ofTwin(twin);
}

export const farmCommands: Command[] = [
  {
    name: 'farm create',
    summary: 'create a farm, optionally with public IPs',
    options: {
      name: { type: 'string', value: 'NAME', help: 'farm name (letters, digits, _ and -; unique on the chain)' },
      ip: { type: 'string', multiple: true, value: 'CIDR', help: 'public IPv4 in CIDR form, e.g. 185.206.122.33/24' },
      gw: { type: 'string', multiple: true, value: 'IP', help: 'gateway of the IPs (one for all, or one per --ip)' },
    },
    details: 'Example: tfgrid farm create --name my_farm --ip 185.206.122.33/24 --ip 185.206.122.34/24 --gw 185.206.122.1',
    async run(ctx, a) {
      const name = required(a, 'name', 'farm create');
      const publicIps = ipPairs(list(a, 'ip'), list(a, 'gw'));
      const c = await ctx.client(true);
      const id = await ctx.tx(`creating farm '${name}'`, () => c.farms.create({ name, publicIps }));
      const f = await farmById(c, id);
      return { json: f, text: [`farm ${id} '${name}' created`, ...farmLines(f, [])] };
    },
  },
  {
    name: 'farm show',
    summary: "a farm by id or --name (default: the signer's farms)",
    args: '[ID]',
    maxArgs: 1,
    options: { name: { type: 'string', value: 'NAME', help: 'find the farm by its name' } },
    async run(ctx, a) {
      const name = str(a, 'name');
      const byId = a.positionals[0] === undefined ? undefined : parseIntArg(a.positionals[0], 'farm id');
      const c = await ctx.client();
      let farms: Farm[];
      if (byId !== undefined) farms = [await farmById(c, byId)];
      else if (name !== undefined) {
        const id = await c.farms.idByName(name);
        if (id === undefined) throw new CliFailure(`there is no farm named '${name}'`, { kind: 'not-found', name });
        farms = [await farmById(c, id)];
      } else farms = await myFarms(ctx);
      const withNodes = await Promise.all(farms.map(async (f) => ({ ...f, nodeIds: await c.farms.nodeIds(f.id) })));
      const json = a.positionals[0] !== undefined || name !== undefined ? withNodes[0] : withNodes;
      const text = withNodes.length
        ? withNodes.flatMap((f, i) => [...(i ? [''] : []), ...farmLines(f, f.nodeIds)])
        : ['no farms (tfgrid farm create --name NAME)'];
      return { json, text };
    },
  },
  {
    name: 'farm add-ip',
    summary: 'add a public IPv4 to a farm',
    args: 'FARM_ID',
    minArgs: 1,
    options: {
      ip: { type: 'string', multiple: true, value: 'CIDR', help: 'public IPv4 in CIDR form' },
      gw: { type: 'string', multiple: true, value: 'IP', help: 'its gateway' },
    },
    details: 'Example: tfgrid farm add-ip 1 --ip 185.206.122.35/24 --gw 185.206.122.1',
    async run(ctx, a) {
      const farmId = parseIntArg(a.positionals[0], 'farm id');
      const pairs = ipPairs(list(a, 'ip'), list(a, 'gw'));
      if (!pairs.length) throw new UsageError("'farm add-ip' needs --ip CIDR --gw IP", 'farm add-ip');
      const c = await ctx.client(true);
      for (const p of pairs) await ctx.tx(`adding ${p.ip} to farm ${farmId}`, () => c.farms.addIp({ farmId, ...p }));
      const f = await farmById(c, farmId);
      return { json: f, text: farmLines(f, await c.farms.nodeIds(farmId)) };
    },
  },
  {
    name: 'farm remove-ip',
    summary: 'remove a public IPv4 from a farm',
    args: 'FARM_ID',
    minArgs: 1,
    options: { ip: { type: 'string', multiple: true, value: 'CIDR', help: 'the IP to remove, as listed' } },
    async run(ctx, a) {
      const farmId = parseIntArg(a.positionals[0], 'farm id');
      const ips = list(a, 'ip').map(checkCidr);
      if (!ips.length) throw new UsageError("'farm remove-ip' needs --ip CIDR", 'farm remove-ip');
      const c = await ctx.client(true);
      for (const ip of ips) await ctx.tx(`removing ${ip} from farm ${farmId}`, () => c.farms.removeIp({ farmId, ip }));
      const f = await farmById(c, farmId);
      return { json: f, text: farmLines(f, await c.farms.nodeIds(farmId)) };
    },
  },
  ...farmRewardsCommands,
];
