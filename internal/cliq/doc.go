// Package cliq is a client for Zoho Cliq's "My Pins and Chat Folders" API: every documented
// operation, OAuth, per-operation rate budgets, and one shared read of the folder list.
//
// The client keeps one promise: it changes only what its caller asks, and nothing a person does
// in Cliq at the same time is undone, under any interleaving. docs/dev/design.md argues why; these
// are the rules the code keeps, each in one place.
//
//  1. Proof (snapshot.go: install, proves, prove, noteChange). A request that Cliq checks against
//     last_sync_time (reorder chat, reorder folder, replace chats) is computed inside its build,
//     from the snapshot's content of that folder (or of the folder order), and carries the
//     snapshot's sync time for it: a move is never planned from one read and sent with another's
//     sync time (folders.go: replaceOrMove, orderFolders). Only a read sets a sync time: the read's
//     Date less readMargin (two seconds, so that it holds whether Cliq compares times to the
//     millisecond or to the whole second). The client sends such a request only when it made no
//     write of its own to the folder since that read (Client.changes, dated by Cliq's clock only);
//     otherwise it first waits until a read can be late enough, and reads. Cliq refuses the
//     request if anybody changed the folder after the sync time, so the content it replaces is the
//     content the read showed.
//  2. Gate (gate.go: enterGate; transport.go: do). A write holds the gate shared from before its
//     request leaves until its answer is applied to the snapshot; a read holds it exclusively
//     from before its request leaves until it is installed. So a read shows every write answered
//     before it, no write is applied to a read that already shows it, and none is lost between.
//     A read replaces the snapshot whole: nothing is replayed or merged. The chat list (chats.go)
//     neither shows nor changes pins: it takes no part in the gate.
//  3. Scope (pins.go: RemovePin, takeOut, MovePin; gather.go; folders.go: SetFolderChats,
//     UpdateFolderOrder, DeleteFolder; order.go: mergeOrder). Taking a chat out of a folder is a
//     replace of that folder (rule 1), never an unpin, which reaches every folder. Only where
//     Cliq refuses a replace of My Pins does the client unpin, and only chats that a read shows
//     in no other folder, read again after any wait before the unpin leaves (call.afterWait); a
//     pin moved out of My Pins leaves it first. A folder listed without its chats is never
//     rewritten, nor reported emptied. A folder's chats, and the folder order, are set by merging
//     the plan's change into what a read shows (mergeOrder): only the pairs whose order the plan
//     changes (state to configuration), its additions and its removals move; every other pair
//     stays as the person left it. Adding a pin is a pin, which touches nothing else, or,
//     gathered with the folder's other changes, part of a proven replace (gather.go:
//     replaceWith). One sync-checked write per folder is under way at a time (folderTurns): for
//     efficiency only.
//  4. Budgets (ratelimit.go). Every request holds a slot of its operation's budget from before it
//     leaves until a window after its answer; a throttled answer locks the operation's class for
//     its documented lock period (classLock: the chat list's ten minutes, five for the others).
//     Recording an answer outlives its caller, but waits for the budget file a bounded time
//     (releaseWait).
//  5. Cancellation (gate.go, batch.go, snapshot.go: fetch). Every wait ends when the caller's
//     context does: the budget, the gate, a folder's turn, a batch, the shared read, a sleep.
//     No request leaves once its caller's context is done, but one read: the one that settles a
//     create whose caller left before its answer (a read changes nothing). A batch's requests
//     (and an add sent as a pin, alone) leave through a flight (gate.go): a caller that leaves
//     while none is on the wire stops every later one, one that leaves while one is on the wire
//     waits for its answer, so no caller ever returns before a request carrying its change. A
//     request already on the wire may finish within inFlightGrace, so that its answer settles
//     what it did.
//  6. Creates (folders.go: CreateFolder). A create whose outcome is unknown adopts a folder only
//     if it fits, a read taken after the create was sent shows it, and a read at most
//     createReadAge old taken before lacks it; with two such folders it never guesses. Where no
//     read settles it, the error names the folder and the import command.
//
// Locks, in the order they may be taken: a chat's turn (chatTurns; several in id order), a
// folder's turn (folderTurns), a budget slot (budgets, with the budget file's lock inside it), the
// token refresh (refreshingToken.refreshing, with the access-token file's lock inside it, held
// across the refresh request), the gate, then Client.mu. Client.mu is never held across a wait or
// a request. The My Pins unpin's afterWait reads while holding the unpin's slot: a read takes only
// the list budget's slot and the gate, and no read waits for a write's slot. The batcher's and
// budgets' own mutexes guard only their fields; pinClaims' is held around a look at the budgets.
package cliq
