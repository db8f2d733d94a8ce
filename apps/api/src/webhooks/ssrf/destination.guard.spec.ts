import { DestinationGuard, HostResolver, ResolvedAddress } from './destination.guard';

/** A resolver that answers from a table: no DNS in unit tests. */
function fakeResolver(table: Record<string, ResolvedAddress[]>): HostResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async resolve(hostname) {
      asked.push(hostname);
      const answer = table[hostname];
      if (!answer) throw new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      return answer;
    },
  };
}

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const v6 = (address: string): ResolvedAddress => ({ address, family: 6 });

describe('DestinationGuard (resolve, check every address, pin one)', () => {
  const resolver = fakeResolver({
    'hooks.example.org': [v4('93.184.215.14'), v6('2606:2800:21f:cb07:6820:80da:af6b:8b2c')],
    'internal.example.org': [v4('10.20.30.40')],
    'mixed.example.org': [v4('93.184.215.14'), v4('127.0.0.1')],
    'mixed6.example.org': [v6('2606:4700::1'), v6('::ffff:169.254.169.254')],
    'rebind.example.org': [v4('192.168.0.1')],
    localhost: [v4('127.0.0.1'), v6('::1')],
  });
  const guard = new DestinationGuard(resolver, false);

  it('pins the first address of a name whose addresses are all public', async () => {
    await expect(guard.check(new URL('https://hooks.example.org/x'))).resolves.toEqual({
      allowed: true,
      address: '93.184.215.14',
      family: 4,
    });
  });

  it('refuses a name that resolves to a private address', async () => {
    await expect(guard.check(new URL('https://internal.example.org/'))).resolves.toEqual({
      allowed: false,
      reason: 'private',
      address: '10.20.30.40',
    });
  });

  it('refuses a name when ANY of its addresses is forbidden (the documented rule), not just skips it', async () => {
    await expect(guard.check(new URL('http://mixed.example.org/'))).resolves.toMatchObject({
      allowed: false,
      reason: 'loopback',
    });
    await expect(guard.check(new URL('http://mixed6.example.org/'))).resolves.toMatchObject({
      allowed: false,
      reason: 'metadata',
    });
  });

  it('refuses localhost after resolving it', async () => {
    await expect(guard.check(new URL('http://localhost:3000/'))).resolves.toMatchObject({
      allowed: false,
      reason: 'loopback',
    });
  });

  it('refuses metadata names without asking DNS', async () => {
    const before = resolver.asked.length;
    await expect(guard.check(new URL('http://metadata.google.internal/'))).resolves.toMatchObject({
      allowed: false,
      reason: 'metadata',
    });
    expect(resolver.asked.length).toBe(before);
  });

  it('checks IP literals without asking DNS', async () => {
    const before = resolver.asked.length;
    await expect(guard.check(new URL('http://[::ffff:7f00:1]/'))).resolves.toMatchObject({
      allowed: false,
      reason: 'loopback',
    });
    await expect(guard.check(new URL('http://8.8.8.8/'))).resolves.toEqual({
      allowed: true,
      address: '8.8.8.8',
      family: 4,
    });
    expect(resolver.asked.length).toBe(before);
  });

  it('passes resolution failures on (a retryable attempt, not a forbidden destination)', async () => {
    await expect(guard.check(new URL('http://nxdomain.example.org/'))).rejects.toThrow(/ENOTFOUND/);
  });

  it('with allowPrivate, reaches private names but still never metadata', async () => {
    const open = new DestinationGuard(resolver, true);
    await expect(open.check(new URL('http://rebind.example.org/'))).resolves.toEqual({
      allowed: true,
      address: '192.168.0.1',
      family: 4,
    });
    await expect(open.check(new URL('http://mixed6.example.org/'))).resolves.toMatchObject({
      allowed: false,
      reason: 'metadata',
    });
  });
});
