import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractRegistry } from './contract.paths';

/**
 * Every endpoint CONTRACT.md names (its table and the v3 additions) is in the OpenAPI document,
 * except the few below whose work belongs to other issues. When one of those lands, its endpoint
 * is added in contract.paths.ts (one call) and removed here; an entry that is documented but still
 * listed here fails the test, so the list cannot go stale.
 */
const OWNED_ELSEWHERE: Record<string, string> = {};

const contract = readFileSync(join(__dirname, '..', '..', '..', '..', '..', 'shared', 'CONTRACT.md'), 'utf8');

/** `METHOD /path` in backticks anywhere in the contract, without its query string. */
function contractEndpoints(): string[] {
  const found = [...contract.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^`\s?]*)/g)].map(
    (m) => `${m[1]} ${m[2]}`,
  );
  return [...new Set(found)].sort();
}

describe('OpenAPI document against CONTRACT.md', () => {
  const doc = contractRegistry().document();
  const documented = new Set(
    Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
    ),
  );

  it('reads the endpoints out of the contract', () => {
    expect(contractEndpoints()).toEqual(
      expect.arrayContaining(['POST /v1/predictions', 'GET /v1/batches/{id}/results']),
    );
    expect(contractEndpoints().length).toBeGreaterThanOrEqual(20);
  });

  it('documents every contract endpoint not owned by other work', () => {
    const missing = contractEndpoints().filter((e) => !documented.has(e) && !OWNED_ELSEWHERE[e]);
    expect(missing).toEqual([]);
  });

  it('lists as owned elsewhere only endpoints still missing from the document', () => {
    expect(Object.keys(OWNED_ELSEWHERE).filter((e) => documented.has(e))).toEqual([]);
  });

  it('describes request bodies from the validating schemas (e.g. notify and files limits)', () => {
    const batches = JSON.stringify(doc.paths?.['/v1/batches']);
    expect(batches).toContain('"enum":["batch","each"]');
    expect(JSON.stringify(doc.paths?.['/v1/batches/{id}/uploads'])).toContain('"maxItems":1000');
  });

  it('documents the FHIR formats (contract v3): ?format=fhir and ?format=fhir-ndjson with their media types', () => {
    const prediction = JSON.stringify(doc.paths?.['/v1/predictions/{id}']);
    expect(prediction).toContain('"enum":["json","fhir"]');
    expect(prediction).toContain('application/fhir+json');
    const results = JSON.stringify(doc.paths?.['/v1/batches/{id}/results']);
    expect(results).toContain('"enum":["ndjson","csv","fhir-ndjson"]');
    expect(results).toContain('application/fhir+ndjson');
  });

  it('names the contract objects as components', () => {
    expect(Object.keys(doc.components?.schemas ?? {})).toEqual(
      expect.arrayContaining(['Prediction', 'Batch', 'Delivery', 'WebhookEvent', 'ErrorBody', 'Explanation']),
    );
  });
});
