// Package cliq is a client for Zoho Cliq's "My Pins and Chat Folders" API: every documented
// operation, OAuth, per-operation rate budgets, and one shared read of the folder list.
package cliq

import (
	"sync"

	"golang.org/x/sync/singleflight"
)

// Client talks to one Cliq account. It is safe for concurrent use, and one Client should serve a
// whole provider process, so that its budgets and its shared read cover every resource.
type Client struct {
	cfg     *resolvedConfig
	creds   credentials
	budgets *budgets

	// gate orders list reads against writes: writes hold it shared while their request is on the
	// wire, a list read holds it exclusively, so a snapshot never mixes states from before and after
	// a write.
	gate    sync.RWMutex
	mu      sync.Mutex // guards snap, writes and claimed
	snap    *snapshot
	writes  uint64      // how many write answers were applied to the snapshot (see installSnapshot)
	journal []journaled // the latest of them, to apply again to a read they overtook
	fetches singleflight.Group
	claimed map[string]bool // folder ids created by this client: never adopted twice

	folderLocks map[string]*sync.RWMutex // see folderlocks.go; guarded by mu

	additions, removals *batcher
}

// New validates cfg and returns a Client. It sends nothing.
func New(cfg Config) (*Client, error) {
	rc, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: rc, claimed: map[string]bool{}}
	accountKey := rc.apiBase.String() + "|"
	if rc.AccessToken != "" {
		c.creds = staticToken(rc.AccessToken)
		accountKey += "token:" + rc.AccessToken
	} else {
		c.creds = newRefreshingToken(rc)
		accountKey += "oauth:" + rc.ClientID + ":" + rc.RefreshToken
	}
	c.budgets = newBudgets(rc, accountKey)
	c.additions = newBatcher(rc.BatchDelay, c.addBatch)
	c.removals = newBatcher(rc.BatchDelay, c.removeBatch)
	return c, nil
}

// APIBaseURL is the base URL requests go to, ending in /api/v3.
func (c *Client) APIBaseURL() string { return c.cfg.apiBase.String() }
