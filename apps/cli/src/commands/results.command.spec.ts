import { resultsFormat } from './results.command';

describe('results format', () => {
  it('follows --format, else the extension of -o, else NDJSON', () => {
    expect(resultsFormat('csv', 'out.ndjson')).toBe('csv');
    expect(resultsFormat(undefined, 'out.CSV')).toBe('csv');
    expect(resultsFormat(undefined, 'out.jsonl')).toBe('ndjson');
    expect(resultsFormat(undefined, undefined)).toBe('ndjson');
    expect(() => resultsFormat(undefined, 'out.xlsx')).toThrow(/--format/);
  });

  it('passes fhir-ndjson through when asked for by name, whatever the file is called', () => {
    expect(resultsFormat('fhir-ndjson', 'out.ndjson')).toBe('fhir-ndjson');
    expect(resultsFormat('fhir-ndjson', undefined)).toBe('fhir-ndjson');
  });
});
