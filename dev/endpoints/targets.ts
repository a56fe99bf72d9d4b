/**
 * The stand-ins forward to database servers named by the caller (a connection string, a header),
 * so they are an open relay unless the target is pinned down: only loopback addresses are
 * reached, and the name is resolved here once so a second lookup cannot point elsewhere.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export type TargetFailure = { code: 'ENOTFOUND' | 'ATRIUM_NONLOCAL'; message: string };

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1';
}

/** The loopback address to dial for `host`, preferring IPv4 (the local servers listen on 127.0.0.1). */
export async function resolveLocalTarget(host: string): Promise<{ address: string } | TargetFailure> {
  const name = host.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  if (isIP(name)) addresses = [name];
  else {
    try {
      addresses = (await lookup(name, { all: true })).map((a) => a.address);
    } catch {
      return { code: 'ENOTFOUND', message: `getaddrinfo ENOTFOUND ${name}` };
    }
  }
  if (addresses.length === 0 || !addresses.every(isLoopback)) {
    return {
      code: 'ATRIUM_NONLOCAL',
      message: `the local endpoint only reaches database servers on this machine, not ${name}`,
    };
  }
  return { address: addresses.find((a) => a.startsWith('127.')) ?? addresses[0]! };
}
