/* global process, Buffer */
// Validates Kubernetes objects (a JSON array on stdin) against the offline schemas of
// kubernetes-models, @kubernetes-models/keda and @kubernetes-models/prometheus-operator, and
// prints a JSON array of problems. A separate Node process because those packages are ESM-only
// and jest runs our tests as CommonJS. A kind without a schema is a problem, not a pass.
const PACKAGES = {
  'keda.sh': '@kubernetes-models/keda/keda.sh',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator/monitoring.coreos.com',
};

function modulePath({ apiVersion, kind }) {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return `kubernetes-models/${apiVersion}/${kind}`;
  const group = apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  return `${PACKAGES[group] ?? `kubernetes-models/${group}`}/${version}/${kind}`;
}

async function validate(object) {
  const where = `${object.kind}/${object.metadata?.name} (${object.apiVersion})`;
  let Model;
  try {
    Model = (await import(modulePath(object)))[object.kind];
  } catch {
    return `${where}: no schema for this apiVersion and kind`;
  }
  if (!Model) return `${where}: no schema for this apiVersion and kind`;
  try {
    new Model(object).validate();
    return undefined;
  } catch (err) {
    return `${where}: ${err.message}`;
  }
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const objects = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const problems = (await Promise.all(objects.map(validate))).filter(Boolean);
process.stdout.write(JSON.stringify(problems));
