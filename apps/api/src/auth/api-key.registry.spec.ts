import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyRegistry, parseKeyEntries } from './api-key.registry';

describe('ApiKeyRegistry', () => {
  it('maps keys to tenants and refuses unknown keys', () => {
    const registry = ApiKeyRegistry.fromConfig('a:key-aaaaaaaa,b:key-bbbbbbbb,a:key-a-second', undefined);
    expect(registry.authDisabled).toBe(false);
    expect(registry.tenantFor('key-aaaaaaaa')).toBe('a');
    expect(registry.tenantFor('key-a-second')).toBe('a');
    expect(registry.tenantFor('key-bbbbbbbb')).toBe('b');
    expect(registry.tenantFor('key-cccccccc')).toBeNull();
    expect(registry.tenantFor('')).toBeNull();
  });

  it('names each key by its tenant and place, never by anything derived from the secret', () => {
    const registry = ApiKeyRegistry.fromConfig('a:key-aaaaaaaa,b:key-bbbbbbbb,a:key-a-second', undefined);
    expect(registry.identify('key-aaaaaaaa')).toEqual({ tenant: 'a', keyId: 'a#1' });
    expect(registry.identify('key-a-second')).toEqual({ tenant: 'a', keyId: 'a#2' });
    expect(registry.identify('key-bbbbbbbb')).toEqual({ tenant: 'b', keyId: 'b#1' });
    expect(registry.identify('key-cccccccc')).toBeNull();
  });

  it('reads API_KEYS_FILE with comments and blank lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keys-'));
    const file = join(dir, 'keys');
    writeFileSync(file, '# hospital keys\n\nclinic_1:key-11111111\n');
    expect(ApiKeyRegistry.fromConfig(undefined, file).tenantFor('key-11111111')).toBe('clinic_1');
  });

  it('says clearly when the key file cannot be read or has a bad line', () => {
    expect(() => ApiKeyRegistry.fromConfig(undefined, '/nonexistent/keys')).toThrow(
      /API_KEYS_FILE names \/nonexistent\/keys/,
    );
    expect(() => parseKeyEntries('nocolon', 'API_KEYS_FILE')).toThrow(/not tenant:key/);
  });

  it('runs without auth when no keys are configured', () => {
    expect(ApiKeyRegistry.fromConfig(undefined, undefined).authDisabled).toBe(true);
  });
});
