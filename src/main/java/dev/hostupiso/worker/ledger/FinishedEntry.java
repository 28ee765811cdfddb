package dev.hostupiso.worker.ledger;

/**
 * What the ledger keeps in memory of a finished request: only what deduplication needs. The
 * outcome itself stays in the ledger topic, at {@code ledgerOffset}, and is read back only when a
 * duplicate asks for it, so a week of finished requests costs tens of bytes each, not their events.
 *
 * @param ledgerOffset    offset of the terminal ledger record (which holds the outcome)
 * @param sourceOffset    offset of the request record: a redelivery of that record is recognised by it
 * @param updatedAtMillis when the request finished, for the retention sweep
 */
public record FinishedEntry(long ledgerOffset, long sourceOffset, long updatedAtMillis) {
}
