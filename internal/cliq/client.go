package cliq

import (
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
	"golang.org/x/sync/singleflight"
)

// Client talks to one Cliq account. It is safe for concurrent use, and one Client should serve a
// whole provider process, so that its budgets and its shared read cover every resource. The rules
// it keeps, and the locks it takes, are in doc.go.
type Client struct {
	cfg     *resolvedConfig
	creds   credentials
	budgets *budgets // rule 4; guarded by its own lock and, across processes, the budget file

	// gate orders list reads against writes (rule 2): a write holds it shared from before its
	// request leaves until its answer is settled, a read holds it exclusively from before its
	// request leaves until the snapshot is installed.
	gate *semaphore.Weighted

	mu           sync.Mutex        // guards snap, changes, serverOffset and claimed; taken inside the gate, never around a wait
	snap         *snapshot         // the latest read, with the client's answered writes applied (rule 1)
	changes      map[string]change // per folder ("" = order): the client's latest change a proof must be later than (rule 1)
	serverOffset time.Duration     // Cliq's clock minus the local one, as of the latest read (whole seconds)
	claimed      map[string]bool   // folder ids created by this client: never adopted twice

	reads     singleflight.Group // one list read in flight per query, shared by its callers (rule 2)
	turns     folderTurns        // one sync-checked write per folder at a time (rule 3)
	chatTurns folderTurns        // per chat id: a pin and an unpin from My Pins never overlap (rule 3)

	gathered *batcher  // pin changes that arrive together; those of one folder may share a replace (gather.go)
	claims   pinClaims // pin_chat slots promised to adds under way as pins (gather.go)

	chatLists chatLists // the chat list per filter, read once until Invalidate (chats.go)

	// myPinsRefusesReplace is set once Cliq refused to replace My Pins' chats (operation 8):
	// removals from My Pins then unpin (operation 10), under the conditions of rule 3.
	myPinsRefusesReplace atomic.Bool

	// inFlightGrace is how long a write already on the wire may finish after its caller is
	// cancelled (rule 5); a field so that tests can shorten it.
	inFlightGrace time.Duration
	// createReadAge is how recent the read a create is compared with must be (CreateFolder).
	createReadAge time.Duration
}

// New validates cfg and returns a Client. It sends nothing.
func New(cfg Config) (*Client, error) {
	rc, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: rc, claimed: map[string]bool{}, changes: map[string]change{}, gate: newGate(), inFlightGrace: inFlightGrace, createReadAge: createReadAge}
	accountKey := rc.apiBase.String() + "|"
	if rc.AccessToken != "" {
		c.creds = staticToken(rc.AccessToken)
		accountKey += "token:" + rc.AccessToken
	} else {
		c.creds = newRefreshingToken(rc)
		accountKey += "oauth:" + rc.ClientID + ":" + rc.RefreshToken
	}
	c.budgets = newBudgets(rc, accountKey)
	c.gathered = newBatcher(rc.BatchDelay, c.carryChanges)
	return c, nil
}

// APIBaseURL is the base URL requests go to, ending in /api/v3.
func (c *Client) APIBaseURL() string { return c.cfg.apiBase.String() }
