/**
 * The core: one request's state machine (the runner and its steps: preflight, submit, poll, resolve,
 * mount), the policies that decide (retry delays, poll schedule, ambiguity window, progress
 * throttle), the job's context, and the ports the core needs from outside: {@code HostUpPort} (every
 * HostUp call, with the account it spends, each answering a typed answer), {@code JobJournal} (the ledger), {@code ProgressListener},
 * {@code UrlCheck} (the URL preflight) and, for the dispatcher, {@code JobRunner}.
 * <p>
 * May import: {@code wire} and the kernel ({@code config}, {@code metrics}, {@code timing}); never an
 * adapter, and neither an HTTP answer nor JSON. {@code PackageDependencyTest} enforces it.
 */
package dev.hostupiso.worker.job;
