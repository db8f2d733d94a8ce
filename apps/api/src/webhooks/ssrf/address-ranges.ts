/**
 * Why a webhook destination is refused. The special-purpose ranges themselves (IANA registries,
 * RFC 6890 and successors) come from ipaddr.js (STYLE.md #15); only the cloud metadata endpoints
 * below are ours, because no registry lists them.
 */
export type ForbiddenReason =
  | 'metadata'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link_local'
  | 'unique_local'
  | 'multicast'
  | 'unspecified'
  | 'broadcast'
  | 'reserved'
  | 'malformed';

/** Cloud metadata and platform endpoints; refused even with WEBHOOK_ALLOW_PRIVATE (credentials live there). */
export const METADATA_ADDRESSES: readonly string[] = [
  '169.254.169.254', // AWS, GCP, Azure, OpenStack, Oracle
  '169.254.169.253', // AWS DNS resolver
  '169.254.170.2', // AWS ECS task metadata
  '100.100.100.200', // Alibaba Cloud
  '168.63.129.16', // Azure WireServer (a public address)
  'fd00:ec2::254', // AWS IMDS over IPv6
];

export const METADATA_HOSTNAMES: ReadonlySet<string> = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
]);
