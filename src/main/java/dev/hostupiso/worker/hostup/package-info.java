/**
 * Adapter: HostUp over HTTP, behind the core's {@code HostUpPort} ({@code HostUpCalls}: each call's
 * path and body, and the reading of its answer into the port's typed answer). The reading of HostUp's
 * JSON, job envelopes and problem answers ({@code *Json}), the HTTP client and its egress settings, the retrying caller (retries, ambiguity, read-scope check), the
 * accounts and their keys, each account's rate limiter, pacing and permits, the key state and the
 * probe that tells a revoked key from a forbidden VPS.
 * <p>
 * May import: {@code job}, {@code wire}, the kernel.
 */
package dev.hostupiso.worker.hostup;
