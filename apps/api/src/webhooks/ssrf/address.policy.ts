import ipaddr from 'ipaddr.js';
import { type ForbiddenReason, METADATA_ADDRESSES, METADATA_HOSTNAMES } from './address-ranges';

export interface AddressVerdict {
  /** null when the address may be reached. */
  reason: ForbiddenReason | null;
  /** The IPv4 address an IPv6 one embeds (mapped, NAT64, 6to4), when that decided it. */
  via?: string;
}

const metadata = new Set(METADATA_ADDRESSES.map((a) => ipaddr.parse(a).toNormalizedString()));
const cidr = (text: string) => ipaddr.parseCIDR(text) as [ipaddr.IPv6, number];
const GLOBAL_UNICAST_V6 = cidr('2000::/3');
const NAT64_WELL_KNOWN = cidr('64:ff9b::/96');

/** ipaddr.js range names -> our reasons; a name not listed here (other than unicast) is reserved. */
const V4_REASONS: Record<string, ForbiddenReason> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link_local',
  loopback: 'loopback',
  carrierGradeNat: 'shared',
  private: 'private',
};
const V6_REASONS: Record<string, ForbiddenReason> = {
  unspecified: 'unspecified',
  linkLocal: 'link_local',
  multicast: 'multicast',
  loopback: 'loopback',
  uniqueLocal: 'unique_local',
  deprecatedSiteLocal: 'private',
  rfc6052: 'private', // local-use NAT64 (64:ff9b:1::/48); the well-known /96 is judged by its IPv4
};

function checkIpv4(address: ipaddr.IPv4, allowPrivate: boolean): ForbiddenReason | null {
  if (metadata.has(address.toNormalizedString())) return 'metadata';
  if (allowPrivate) return null;
  const range = address.range();
  return range === 'unicast' ? null : (V4_REASONS[range] ?? 'reserved');
}

/**
 * An IPv6 address that carries an IPv4 one the network may route to: IPv4-mapped (::ffff:0:0/96),
 * NAT64 (64:ff9b::/96) and 6to4 (2002::/16). These are judged by the IPv4 address inside.
 */
function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  if (address.isIPv4MappedAddress()) return address.toIPv4Address();
  const bytes = address.toByteArray();
  if (address.match(NAT64_WELL_KNOWN)) return new ipaddr.IPv4(bytes.slice(12, 16));
  if (address.range() === '6to4') return new ipaddr.IPv4(bytes.slice(2, 6));
  return null;
}

function checkIpv6(address: ipaddr.IPv6, allowPrivate: boolean): AddressVerdict {
  const inner = embeddedIpv4(address);
  if (inner) {
    const reason = checkIpv4(inner, allowPrivate);
    return reason ? { reason, via: inner.toString() } : { reason: null };
  }
  if (metadata.has(address.toNormalizedString())) return { reason: 'metadata' };
  if (allowPrivate) return { reason: null };
  const range = address.range();
  if (range !== 'unicast') return { reason: V6_REASONS[range] ?? 'reserved' };
  // Everything outside global unicast is not for us to reach.
  return { reason: address.match(GLOBAL_UNICAST_V6) ? null : 'reserved' };
}

type Literal = { family: 4; address: ipaddr.IPv4 } | { family: 6; address: ipaddr.IPv6 };

/**
 * A URL hostname or raw host as an IP literal, or null for a name. ipaddr.js reads IPv4 the way
 * getaddrinfo (inet_aton) does: `2130706433`, `0x7f000001`, `0177.0.0.1` and `127.1` are all
 * 127.0.0.1, so no spelling slips past the ranges.
 */
function literalOf(host: string): Literal | null {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const plain = bare.replace(/\.$/, '');
  if (ipaddr.IPv6.isValid(plain)) return { family: 6, address: ipaddr.IPv6.parse(plain) };
  if (ipaddr.IPv4.isValid(plain)) return { family: 4, address: ipaddr.IPv4.parse(plain) };
  return null;
}

/** A host of numeric-looking dot-separated parts only is no DNS name, valid IPv4 or not. */
function looksNumericIpv4(host: string): boolean {
  const parts = host.split('.');
  return parts.length <= 4 && parts.every((p) => /^(?:0x[0-9a-z]*|[0-9]+)$/i.test(p));
}

/**
 * May a webhook connect to this address? Metadata endpoints never; private, loopback, link-local,
 * unique-local, multicast, unspecified, broadcast and reserved ranges only with allowPrivate.
 */
export function checkAddress(address: string, allowPrivate: boolean): AddressVerdict {
  const literal = literalOf(address);
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
  const literal = literalOf(hostname);
  if (literal) {
    const address = literal.address.toString();
    return { kind: 'address', address, family: literal.family, verdict: checkAddress(address, allowPrivate) };
  }
  const name = hostname.toLowerCase().replace(/\.$/, '');
  // A numeric-looking host that is no valid IPv4 spelling (e.g. 0999.1) is neither address nor name.
  if (looksNumericIpv4(name)) return { kind: 'name', name, reason: 'malformed' };
  return { kind: 'name', name, reason: METADATA_HOSTNAMES.has(name) ? 'metadata' : null };
}
