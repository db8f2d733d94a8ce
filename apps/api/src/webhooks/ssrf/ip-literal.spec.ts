import { ipv6Bytes, parseIpv4Loose } from './ip-literal';

describe('IP literal parsing', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['10.1.2', '10.1.0.2'],
    ['0x0a.0x00.0x00.0x01', '10.0.0.1'],
    ['0', '0.0.0.0'],
    ['1.2.3.4.', '1.2.3.4'],
  ])('reads %s as %s (inet_aton)', (text, quad) => {
    expect(parseIpv4Loose(text)).toBe(quad);
  });

  it.each(['256.0.0.1', '1.2.3.4.5', '08.0.0.1', '4294967296', 'example.com', '1..2', ''])(
    'refuses %s',
    (text) => {
      expect(parseIpv4Loose(text)).toBeNull();
    },
  );

  it('expands IPv6 to 16 bytes, with :: and an IPv4 tail', () => {
    expect(Array.from(ipv6Bytes('::1')!)).toEqual([...Array(15).fill(0), 1]);
    expect(Array.from(ipv6Bytes('::ffff:127.0.0.1')!.subarray(10))).toEqual([0xff, 0xff, 127, 0, 0, 1]);
    expect(Array.from(ipv6Bytes('2002:c0a8:101::')!.subarray(0, 6))).toEqual([0x20, 0x02, 192, 168, 1, 1]);
    expect(ipv6Bytes('fe80::1%eth0')![0]).toBe(0xfe);
    expect(ipv6Bytes('1.2.3.4')).toBeNull();
  });
});
