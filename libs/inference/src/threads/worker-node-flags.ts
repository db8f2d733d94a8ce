/**
 * Node flags every worker process starts with: the Kubernetes manifests, docker-compose, the GPU
 * image, `npm run start:worker`, `dermafleet dev`, and the tests' and benchmarks' worker
 * processes (test/deploy/worker-node-flags.spec.ts checks the written ones).
 *
 * --single-threaded-gc: V8 collects each heap on its own thread instead of handing marking,
 * sweeping and scavenging to its helper threads. A worker keeps its cores busy (the model, the
 * decoding threads), so the helpers only add hand-offs and wake-ups to the same work: with the
 * flag, the worker spent 0.7-1.5 ms less CPU per image on the tiny model (11.1-11.7 against
 * 11.8-13.0 ms, five alternating pairs) and the pipeline moved 4-9% more images per second.
 * Collections pause their own thread a little longer; the model runs in its own thread.
 *
 * V8 takes this flag on the command line only: NODE_OPTIONS refuses it, and
 * v8.setFlagsFromString('--single-threaded-gc') after start-up aborts the process at its next
 * collection (Node 20).
 */
export const WORKER_NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];
