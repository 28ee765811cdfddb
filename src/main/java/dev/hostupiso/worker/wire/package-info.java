/**
 * The bottom of the onion: the records that cross a wire and their size bounds. HostUp's answers
 * ({@link dev.hostupiso.worker.wire.ApiResponse}, problems, job and library envelopes, rate-limit and
 * {@code Retry-After} headers, a call that got no answer) and the events on Kafka (the request, the
 * outcome and its parts, progress). Pure values; HostUp's JSON bodies are read by the HostUp adapter.
 * <p>
 * May import: no other package of the worker.
 */
package dev.hostupiso.worker.wire;
