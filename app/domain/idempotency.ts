// The part of idempotent create forms the browser needs: the hidden input's name. The tokens
// and their table are in idempotency.server.ts.

/** The hidden input's name on every create form. */
export const IDEMPOTENCY_FIELD = "idempotencyToken";
