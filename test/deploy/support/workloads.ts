import type { K8sObject } from './kustomize.render';

/** The parts of a pod spec the policy tests read. */
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: Record<string, Record<string, string>> }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    runAsUser?: number;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}
export interface Probe {
  httpGet?: { path: string; port: string | number };
  exec?: { command: string[] };
}
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    seccompProfile?: { type: string };
  };
  tolerations?: { key?: string; operator?: string; effect?: string }[];
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: {
        nodeSelectorTerms: { matchExpressions?: { key: string; operator: string; values?: string[] }[] }[];
      };
    };
  };
  volumes?: {
    name: string;
    emptyDir?: object;
    persistentVolumeClaim?: { claimName: string };
    configMap?: { name: string };
    secret?: { secretName: string };
  }[];
}
export interface Workload {
  object: K8sObject;
  pod: PodSpec;
  podLabels: Record<string, string>;
  /** PVC names a StatefulSet creates for itself. */
  claimTemplates: string[];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

export function workloads(objects: K8sObject[]): Workload[] {
  return objects
    .filter((o) => WORKLOAD_KINDS.has(o.kind))
    .map((object) => {
      const spec = object.spec as {
        template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec };
        volumeClaimTemplates?: { metadata: { name: string } }[];
      };
      return {
        object,
        pod: spec.template.spec,
        podLabels: spec.template.metadata?.labels ?? {},
        claimTemplates: (spec.volumeClaimTemplates ?? []).map((t) => t.metadata.name),
      };
    });
}

export const allContainers = (pod: PodSpec): Container[] => [
  ...(pod.initContainers ?? []),
  ...pod.containers,
];

/** Whether a pod asks for an NVIDIA GPU. */
export const requestsGpu = (pod: PodSpec): boolean =>
  pod.containers.some((c) => c.resources?.limits?.['nvidia.com/gpu'] !== undefined);

/** The environment a container sees: its ConfigMaps' data (in order), then its literal env. */
export function containerEnv(container: Container, objects: K8sObject[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
    for (const [k, v] of Object.entries((map?.data as Record<string, string> | undefined) ?? {}))
      env.set(k, v);
  }
  for (const e of container.env ?? []) if (e.value !== undefined) env.set(e.name, e.value);
  return env;
}

/** A Kubernetes quantity of CPU in cores ("500m", "2", 2). */
export function cpuCores(quantity: string | number | undefined): number {
  if (quantity === undefined) return 0;
  const s = String(quantity);
  return s.endsWith('m') ? Number(s.slice(0, -1)) / 1000 : Number(s);
}
