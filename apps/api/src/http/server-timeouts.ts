import type { Server } from 'node:http';

/**
 * Node's HTTP server limits, sized for what this API does:
 * - a whole request (headers and body) may take up to 30 minutes: a batch's streamed multipart
 *   upload of many large images over a slow hospital link (Node's 5-minute default cuts those);
 * - headers must arrive within 66 s (slowloris), a little over the keep-alive timeout below, as
 *   Node's documentation asks;
 * - idle keep-alive connections are kept 65 s, above the 60 s idle timeout of common load
 *   balancers (AWS ALB, GCP, nginx), so the balancer closes first and never sends a request
 *   onto a socket we are closing (which would answer it 502);
 * - a socket silent for 2 minutes is closed: a client that stalls mid-upload frees its buffers.
 *   Long-polls (?wait=, at most 30 s) stay well inside it.
 */
export const SERVER_TIMEOUTS = {
  requestTimeoutMs: 30 * 60_000,
  headersTimeoutMs: 66_000,
  keepAliveTimeoutMs: 65_000,
  socketIdleTimeoutMs: 120_000,
} as const;

export function applyServerTimeouts(server: Server): void {
  server.requestTimeout = SERVER_TIMEOUTS.requestTimeoutMs;
  server.headersTimeout = SERVER_TIMEOUTS.headersTimeoutMs;
  server.keepAliveTimeout = SERVER_TIMEOUTS.keepAliveTimeoutMs;
  server.setTimeout(SERVER_TIMEOUTS.socketIdleTimeoutMs);
}
