/**
 * Adapter: the job journal on Kafka transactions, which also publishes the outcome
 * ({@code JournalAndOutcomePublisher}): one fenced transactional writer per owned partition, the
 * reader that loads partitions and recorded outcomes, the sweeper; the outcome and progress records
 * (CloudEvents in Kafka binary mode) and the progress publisher behind {@code ProgressListener}.
 * <p>
 * May import: {@code job}, {@code wire}, {@code kafka}, the kernel.
 */
package dev.hostupiso.worker.ledger;
