import { parser } from '@prometheus-io/lezer-promql';

/** Parses a PromQL expression with Prometheus' own grammar (the one its web UI uses). */
export function parsePromql(expr: string): { valid: boolean; metrics: string[] } {
  let valid = true;
  const metrics: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) valid = false;
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector')
        metrics.push(expr.slice(node.from, node.to));
    },
  });
  return { valid, metrics };
}
