/**
 * Adapter: the URL preflight behind the core's {@code UrlCheck}: HEAD the URL, follow redirects,
 * the SSRF guard and its address categories, the resolver.
 * <p>
 * May import: {@code job}, {@code wire}, the kernel.
 */
package dev.hostupiso.worker.preflight;
