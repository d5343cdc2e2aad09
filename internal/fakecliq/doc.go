// Package fakecliq is an in-memory fake of the Zoho Cliq "My Pins and Chat
// Folders" REST API (the ten operations under /api/v3 described in
// shared/cliq-api.md), of the Chats module's chat list (GET /api/v3/chats,
// chats.go) and of the Zoho OAuth refresh-token endpoint.
//
// The fake is deliberately strict: it enforces the documented field limits,
// error codes, per-operation rate limits with lock periods, the
// last_sync_time staleness check (at millisecond precision on the server
// clock) and the default-folder rules. It is meant for acceptance tests,
// benchmarks, `make demo`, and for users who want to try a configuration
// without touching a real Cliq account.
//
// Beyond the API itself a Server offers:
//
//   - inspection (Folders, Folder, RequestCount, ThrottledCount, LockCount,
//     RequestLog, TokenRefreshes);
//   - out-of-band changes that behave like another client editing the same
//     account (the *OOB methods), which update modification times and so
//     provoke client_not_synced like real concurrent edits would;
//   - fault injection (InjectFault, SetLatency, ExpireAccessTokens,
//     RevokeRefreshToken) and hooks (BeforeExecute, AfterRequest);
//   - optional contract checking of every request and response against the
//     vendor's OpenAPI document (Options.OpenAPISpec, ContractViolations).
//
// Use New to get an http.Handler, NewTestServer in tests, or the standalone
// binary in cmd/fakecliq.
package fakecliq
