import { isIPv4, isIPv6 } from 'node:net';

/**
 * IP literal parsing for the SSRF guard. Hostnames reach us from URLs (WHATWG-normalised) and
 * from DNS answers, but also raw: the guard must see `2130706433`, `0x7f000001`, `0177.0.0.1` and
 * `127.1` as the 127.0.0.1 that getaddrinfo (inet_aton) would turn them into.
 */

const PART = /^(?:0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*)$/i;

function partValue(part: string): number {
  if (/^0x/i.test(part)) return part.length === 2 ? 0 : parseInt(part.slice(2), 16);
  if (part.length > 1 && part.startsWith('0')) return parseInt(part.slice(1), 8);
  return parseInt(part, 10);
}

/** True when a host is made only of numeric-looking dot-separated parts (so it is no DNS name). */
export function looksNumericIpv4(host: string): boolean {
  const parts = host.replace(/\.$/, '').split('.');
  return parts.length > 0 && parts.length <= 4 && parts.every((p) => /^(?:0x[0-9a-z]*|[0-9]+)$/i.test(p));
}

/**
 * inet_aton semantics: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x); the last part
 * fills the remaining bytes. Returns the dotted-quad, or null when it is no valid IPv4 spelling.
 */
export function parseIpv4Loose(host: string): string | null {
  const parts = host.replace(/\.$/, '').split('.');
  if (parts.length < 1 || parts.length > 4 || !parts.every((p) => PART.test(p))) return null;
  const values = parts.map(partValue);
  const last = values.pop() as number;
  if (values.some((v) => v > 255) || last >= 256 ** (4 - values.length)) return null;
  let n = last;
  values.forEach((v, i) => (n += v * 256 ** (3 - i)));
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** The 16 bytes of an IPv6 address (zone id ignored), or null when it is not one. */
export function ipv6Bytes(address: string): Uint8Array | null {
  const ip = address.replace(/%.*$/, '');
  if (!isIPv6(ip)) return null;
  let text = ip;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (tail) {
    const quad = tail[1].split('.').map(Number);
    text = `${ip.slice(0, -tail[1].length)}${((quad[0] << 8) | quad[1]).toString(16)}:${((quad[2] << 8) | quad[3]).toString(16)}`;
  }
  const [head, rest] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const restGroups = rest === undefined ? [] : rest ? rest.split(':') : [];
  const zeros = rest === undefined ? 0 : 8 - headGroups.length - restGroups.length;
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...restGroups];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    bytes[i * 2] = v >> 8;
    bytes[i * 2 + 1] = v & 0xff;
  });
  return bytes;
}

export function bytesToIpv4(bytes: Uint8Array, offset: number): string {
  return Array.from(bytes.subarray(offset, offset + 4)).join('.');
}

export type IpLiteral = { family: 4 | 6; address: string };

/** A URL hostname or raw host as an IP literal (brackets stripped, loose IPv4 parsed), or null for a name. */
export function ipLiteralOf(host: string): IpLiteral | null {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIPv6(bare.replace(/%.*$/, ''))) return { family: 6, address: bare };
  if (isIPv4(bare)) return { family: 4, address: bare };
  const loose = parseIpv4Loose(bare);
  return loose ? { family: 4, address: loose } : null;
}
