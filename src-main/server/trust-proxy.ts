import { BlockList, isIPv6 } from 'node:net';

/**
 * Which peers may tell us the client's address (X-Forwarded-For): the proxies the owner listed
 * (TRUST_PROXY, addresses or CIDRs), and — while `tunnelIsProxy()` says the public address is the
 * app's own in-process tunnel — the loopback peer that tunnel forwards from. Anyone else's
 * X-Forwarded-For is ignored, so a client cannot choose its own address to dodge rate limits.
 */
export function proxyTrust(
  listed: readonly string[],
  tunnelIsProxy: () => boolean = () => false,
): (address: string, hop: number) => boolean {
  const trusted = new BlockList();
  for (const entry of listed) {
    const [ip, prefix] = entry.split('/') as [string, string | undefined];
    const family = isIPv6(ip) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(ip, family);
    else trusted.addSubnet(ip, Number(prefix), family);
  }
  const loopback = new BlockList();
  loopback.addSubnet('127.0.0.0', 8, 'ipv4');
  loopback.addAddress('::1', 'ipv6');
  const check = (list: BlockList, address: string) => list.check(address, isIPv6(address) ? 'ipv6' : 'ipv4');
  return (address, hop) =>
    check(trusted, address) || (hop === 0 && tunnelIsProxy() && check(loopback, address));
}
