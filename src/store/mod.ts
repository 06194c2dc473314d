/**
 * Durable storage of agent state: atomic file writes and the session snapshot store.
 *
 * @module
 */

export * from "./write_file_atomic.ts";
export * from "./state_listing.ts";
export * from "./state_store.ts";
export * from "./state_journal.ts";
export * from "./state_lock.ts";
export * from "./reset_state.ts";
