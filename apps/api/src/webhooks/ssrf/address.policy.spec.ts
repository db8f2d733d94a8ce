import { checkAddress, checkHost } from './address.policy';
import { webhookUrlProblem } from './webhook-url.check';

/** Hostile destinations: every one must be refused, through the URL parser and through the raw guard. */
const HOSTILE_URLS: Array<[url: string, why: string]> = [
  ['http://127.0.0.1/', 'loopback'],
  ['http://127.255.255.254:8080/hook', 'loopback, end of 127/8'],
  ['http://2130706433/', 'loopback as one decimal number'],
  ['http://0x7f000001/', 'loopback in hex'],
  ['http://0177.0.0.1/', 'loopback in octal'],
  ['http://127.1/', 'loopback, short form'],
  ['http://0x7f.1/', 'loopback, hex short form'],
  ['http://%31%32%37.0.0.1/', 'loopback, percent-encoded'],
  ['http://[::1]/', 'IPv6 loopback'],
  ['http://[::ffff:127.0.0.1]/', 'IPv4-mapped loopback'],
  ['http://[::ffff:7f00:1]/', 'IPv4-mapped loopback, hex'],
  ['http://[::127.0.0.1]/', 'IPv4-compatible (deprecated)'],
  ['http://[64:ff9b::7f00:1]/', 'NAT64 of loopback'],
  ['http://[64:ff9b::a00:1]/', 'NAT64 of 10.0.0.1'],
  ['http://[2002:c0a8:101::1]/', '6to4 of 192.168.1.1'],
  ['http://[2002:7f00:1::]/', '6to4 of 127.0.0.1'],
  ['http://10.0.0.5/', 'private 10/8'],
  ['http://172.16.0.1/', 'private 172.16/12'],
  ['http://172.31.255.255/', 'private 172.16/12, end'],
  ['http://192.168.1.1/', 'private 192.168/16'],
  ['http://100.64.0.1/', 'CGNAT 100.64/10'],
  ['http://169.254.169.254/latest/meta-data/', 'cloud metadata'],
  ['http://169.254.1.1/', 'link-local'],
  ['http://100.100.100.200/', 'Alibaba metadata'],
  ['http://168.63.129.16/', 'Azure WireServer'],
  ['http://[fd00:ec2::254]/', 'AWS metadata over IPv6'],
  ['http://[fe80::1]/', 'IPv6 link-local'],
  ['http://[fc00::1]/', 'unique-local fc00::/7'],
  ['http://[fdff:ffff::1]/', 'unique-local fd00::/8'],
  ['http://224.0.0.1/', 'multicast'],
  ['http://239.255.255.250:1900/', 'multicast (SSDP)'],
  ['http://[ff02::1]/', 'IPv6 multicast'],
  ['http://0.0.0.0/', 'unspecified'],
  ['http://0/', 'unspecified, short form'],
  ['http://[::]/', 'IPv6 unspecified'],
  ['http://255.255.255.255/', 'broadcast'],
  ['http://240.0.0.1/', 'reserved 240/4'],
  ['http://198.18.0.1/', 'benchmarking'],
  ['http://192.0.2.10/', 'documentation'],
  ['http://[2001:db8::1]/', 'IPv6 documentation'],
  ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', 'Teredo'],
  ['http://metadata.google.internal/computeMetadata/v1/', 'GCP metadata name'],
  ['http://METADATA.GOOGLE.INTERNAL./', 'GCP metadata name, upper case, trailing dot'],
  ['https://127.0.0.1.:8443/', 'loopback with a trailing dot'],
];

const PUBLIC_URLS = [
  'https://hooks.example-hospital.org/dermafleet',
  'http://8.8.8.8/',
  'https://1.1.1.1:8443/hook?token=abc',
  'http://[2606:4700:4700::1111]/',
  'http://[::ffff:8.8.8.8]/',
  'http://[64:ff9b::808:808]/',
  'http://172.32.0.1/',
  'http://100.128.0.1/',
  'http://192.169.0.1/',
];

describe('SSRF guard: submission-time URL check (WHATWG parsing, then the guard)', () => {
  it('has a table of at least 25 hostile URLs', () => {
    expect(HOSTILE_URLS.length).toBeGreaterThanOrEqual(25);
  });

  it.each(HOSTILE_URLS)('refuses %s (%s)', (url) => {
    expect(webhookUrlProblem(url, false)).toMatch(/webhooks are never sent to/);
  });

  it.each(PUBLIC_URLS)('accepts %s', (url) => {
    expect(webhookUrlProblem(url, false)).toBeNull();
  });

  it.each([
    'ftp://example.com/',
    'file:///etc/passwd',
    'gopher://example.com/',
    'javascript:alert(1)',
    'not a url',
    'http://',
  ])('refuses %s as no http(s) URL with a host', (url) => {
    expect(webhookUrlProblem(url, false)).toBe('webhook_url must be an http(s) URL with a host');
  });

  it('lets WEBHOOK_ALLOW_PRIVATE through private and loopback addresses, but never metadata', () => {
    expect(webhookUrlProblem('http://127.0.0.1:9000/hook', true)).toBeNull();
    expect(webhookUrlProblem('http://192.168.1.10/', true)).toBeNull();
    expect(webhookUrlProblem('http://169.254.169.254/', true)).toMatch(/metadata/);
    expect(webhookUrlProblem('http://[::ffff:169.254.169.254]/', true)).toMatch(/metadata/);
    expect(webhookUrlProblem('http://metadata.google.internal/', true)).toMatch(/metadata/);
  });

  it('leaves names to the delivery-time check (they are resolved there)', () => {
    expect(webhookUrlProblem('http://localhost:3000/', false)).toBeNull();
  });
});

describe('SSRF guard: raw hosts (no URL parser normalising them first)', () => {
  it.each([
    ['2130706433', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['127.1', 'loopback'],
    ['0x7f.0.0.1', 'loopback'],
    ['017700000001', 'loopback'],
    ['10.1', 'private'],
    ['0xa9fea9fe', 'metadata'],
    ['0251.0376.0251.0376', 'metadata'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['fe80::1%eth0', 'link_local'],
    ['0', 'unspecified'],
    ['0999.0.0.1', 'malformed'],
  ])('judges %s as %s', (host, reason) => {
    const verdict = checkHost(host, false);
    expect(verdict.kind === 'address' ? verdict.verdict.reason : verdict.reason).toBe(reason);
  });

  it('names the IPv4 address inside mapped, NAT64 and 6to4 addresses', () => {
    expect(checkAddress('::ffff:10.0.0.1', false)).toEqual({ reason: 'private', via: '10.0.0.1' });
    expect(checkAddress('64:ff9b::c0a8:101', false)).toEqual({ reason: 'private', via: '192.168.1.1' });
    expect(checkAddress('2002:a9fe:a9fe::1', false)).toEqual({ reason: 'metadata', via: '169.254.169.254' });
  });

  it('accepts public addresses and plain names', () => {
    expect(checkAddress('93.184.215.14', false).reason).toBeNull();
    expect(checkAddress('2a00:1450:4001:80b::200e', false).reason).toBeNull();
    expect(checkHost('hooks.example.org', false)).toEqual({
      kind: 'name',
      name: 'hooks.example.org',
      reason: null,
    });
  });

  it('refuses what is no address at all', () => {
    expect(checkAddress('not-an-ip', false).reason).toBe('malformed');
  });
});
