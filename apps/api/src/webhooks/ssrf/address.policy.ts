import { BlockList } from 'node:net';
import {
  FORBIDDEN_V4,
  FORBIDDEN_V6,
  ForbiddenReason,
  METADATA_HOSTNAMES,
  METADATA_V4,
  METADATA_V6,
  Rule,
} from './address-ranges';
import { bytesToIpv4, ipLiteralOf, ipv6Bytes, looksNumericIpv4 } from './ip-literal';

export interface AddressVerdict {
  /** null when the address may be reached. */
  reason: ForbiddenReason | null;
  /** The IPv4 address an IPv6 one embeds (mapped, NAT64, 6to4), when that decided it. */
  via?: string;
}

function compile(
  rules: readonly Rule[],
  type: 'ipv4' | 'ipv6',
): Array<{ list: BlockList; reason: ForbiddenReason }> {
  return rules.map(([network, prefix, reason]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, type);
    return { list, reason };
  });
}

const metadataV4 = compile(METADATA_V4, 'ipv4');
const metadataV6 = compile(METADATA_V6, 'ipv6');
const forbiddenV4 = compile(FORBIDDEN_V4, 'ipv4');
const forbiddenV6 = compile(FORBIDDEN_V6, 'ipv6');
const globalUnicastV6 = compile([['2000::', 3, 'reserved']], 'ipv6')[0].list;

function firstMatch(
  rules: typeof forbiddenV4,
  address: string,
  type: 'ipv4' | 'ipv6',
): ForbiddenReason | null {
  return rules.find((r) => r.list.check(address, type))?.reason ?? null;
}

function checkIpv4(address: string, allowPrivate: boolean): ForbiddenReason | null {
  const metadata = firstMatch(metadataV4, address, 'ipv4');
  if (metadata || allowPrivate) return metadata;
  return firstMatch(forbiddenV4, address, 'ipv4');
}

/**
 * An IPv6 address that carries an IPv4 one the network may route to: IPv4-mapped (::ffff:0:0/96),
 * NAT64 (64:ff9b::/96) and 6to4 (2002::/16). These are judged by the IPv4 address inside.
 */
function embeddedIpv4(bytes: Uint8Array): string | null {
  const zero = (from: number, to: number) => bytes.subarray(from, to).every((b) => b === 0);
  if (zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return bytesToIpv4(bytes, 12);
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zero(4, 12)) {
    return bytesToIpv4(bytes, 12);
  }
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytesToIpv4(bytes, 2);
  return null;
}

function checkIpv6(address: string, allowPrivate: boolean): AddressVerdict {
  const bytes = ipv6Bytes(address);
  if (!bytes) return { reason: 'malformed' };
  const plain = address.replace(/%.*$/, '');
  const inner = embeddedIpv4(bytes);
  if (inner) {
    const reason = checkIpv4(inner, allowPrivate);
    return reason ? { reason, via: inner } : { reason: null };
  }
  const metadata = firstMatch(metadataV6, plain, 'ipv6');
  if (metadata || allowPrivate) return { reason: metadata };
  const named = firstMatch(forbiddenV6, plain, 'ipv6');
  if (named) return { reason: named };
  // Everything outside global unicast (IPv4-compatible ::a.b.c.d included) is not for us to reach.
  return { reason: globalUnicastV6.check(plain, 'ipv6') ? null : 'reserved' };
}

/**
 * May a webhook connect to this address? Metadata endpoints never; private, loopback, link-local,
 * unique-local, multicast, unspecified, broadcast and reserved ranges only with allowPrivate.
 */
export function checkAddress(address: string, allowPrivate: boolean): AddressVerdict {
  const literal = ipLiteralOf(address);
  if (!literal) return { reason: 'malformed' };
  return literal.family === 4
    ? { reason: checkIpv4(literal.address, allowPrivate) }
    : checkIpv6(literal.address, allowPrivate);
}

export type HostVerdict =
  | { kind: 'address'; address: string; family: 4 | 6; verdict: AddressVerdict }
  | { kind: 'name'; name: string; reason: ForbiddenReason | null };

/**
 * Judges a URL hostname without DNS: an IP literal in any spelling is checked as an address; a
 * name is refused only when it is a metadata name (names are checked again once resolved).
 */
export function checkHost(hostname: string, allowPrivate: boolean): HostVerdict {
  const literal = ipLiteralOf(hostname);
  if (literal) return { kind: 'address', ...literal, verdict: checkAddress(literal.address, allowPrivate) };
  const name = hostname.toLowerCase().replace(/\.$/, '');
  // A numeric-looking host that is no valid IPv4 spelling (e.g. 0999.1) is neither address nor name.
  if (looksNumericIpv4(name)) return { kind: 'name', name, reason: 'malformed' };
  return { kind: 'name', name, reason: METADATA_HOSTNAMES.has(name) ? 'metadata' : null };
}
