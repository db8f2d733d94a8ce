import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const DEFAULT_TENANT = 'default';

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Parses `tenant:key` entries (comma- or newline-separated; `#` comments in files). */
export function parseKeyEntries(text: string, source: string): Array<{ tenant: string; key: string }> {
  const entries: Array<{ tenant: string; key: string }> = [];
  for (const raw of text.split(/[\n,]/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^([A-Za-z0-9_-]+):(\S{8,})$/.exec(line);
    if (!match) {
      throw new Error(
        `Configuration error: ${source} has an entry that is not tenant:key (key of 8+ characters).`,
      );
    }
    entries.push({ tenant: match[1], key: match[2] });
  }
  return entries;
}

/**
 * API keys to tenants. Only sha256 hashes are kept in memory; lookups compare hashes in constant
 * time. With no keys configured the API runs as the single tenant `default` without auth.
 */
export class ApiKeyRegistry {
  private readonly byHash: Array<{ hash: Buffer; tenant: string; keyId: string }> = [];

  constructor(entries: Array<{ tenant: string; key: string }>) {
    const perTenant = new Map<string, number>();
    for (const { tenant, key } of entries) {
      // The key's id (audit entries name it): its tenant and its place among that tenant's keys
      // in the configuration, so it says nothing about the secret, not even a digest of it.
      const n = (perTenant.get(tenant) ?? 0) + 1;
      perTenant.set(tenant, n);
      this.byHash.push({ hash: hashKey(key), tenant, keyId: `${tenant}#${n}` });
    }
  }

  static fromConfig(apiKeys: string | undefined, apiKeysFile: string | undefined): ApiKeyRegistry {
    const entries = apiKeys ? parseKeyEntries(apiKeys, 'API_KEYS') : [];
    if (apiKeysFile) {
      let text: string;
      try {
        text = readFileSync(apiKeysFile, 'utf8');
      } catch {
        throw new Error(`Configuration error: API_KEYS_FILE names ${apiKeysFile}, which cannot be read.`);
      }
      entries.push(...parseKeyEntries(text, 'API_KEYS_FILE'));
    }
    return new ApiKeyRegistry(entries);
  }

  get authDisabled(): boolean {
    return this.byHash.length === 0;
  }

  /** The key's tenant, or null for an unknown key. */
  tenantFor(key: string): string | null {
    return this.identify(key)?.tenant ?? null;
  }

  /** The key's tenant and id (`<tenant>#<n>`), or null for an unknown key. */
  identify(key: string): { tenant: string; keyId: string } | null {
    const hash = hashKey(key);
    let found: { tenant: string; keyId: string } | null = null;
    // Check every entry so the time taken does not say which one matched.
    for (const entry of this.byHash)
      if (timingSafeEqual(entry.hash, hash)) found = { tenant: entry.tenant, keyId: entry.keyId };
    return found;
  }
}
