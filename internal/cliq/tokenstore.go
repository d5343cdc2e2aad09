package cliq

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// The access-token file lets the provider processes of one run (Terraform starts one for plan and
// one for apply) and runs that follow each other share an access token while it is valid: Zoho
// allows 10 access tokens per refresh token in 10 minutes ("Access Denied" after), and a token
// lives an hour. It sits beside the budget file, one per account and credentials:
//
//   - its name and its key field come from an HMAC of the accounts URL, API URL, client id and
//     refresh token keyed with the client secret, so it is never used for other credentials, and
//     it holds neither the refresh token nor the client secret;
//   - it is readable by its owner only (0600 in a 0700 directory) and replaced atomically (a
//     temporary file renamed over it), so a reader without the lock sees a whole file;
//   - a refresh happens under the lock of a sibling .lock file, so that two processes never both
//     refresh: the second finds the first one's token;
//   - it records when each refresh was made, so that a run stops before it would exceed Zoho's limit.

// tokenFileVersion is the format of the access-token file.
const tokenFileVersion = 1

// tokenLockWait is how long a process waits for another to finish refreshing: a refresh is one
// request to the accounts server, within the HTTP client's timeout (60s by default).
const tokenLockWait = 90 * time.Second

// sharedToken is the content of the access-token file (and, in process, the same record).
type sharedToken struct {
	Version     int         `json:"version"`
	Key         string      `json:"key"`
	AccessToken string      `json:"access_token,omitempty"`
	ObtainedAt  time.Time   `json:"obtained_at,omitzero"`
	Expiry      time.Time   `json:"expiry,omitzero"`
	Refreshes   []time.Time `json:"refreshes,omitempty"` // when each recent refresh was sent
}

// tokenStoreKey is the HMAC-SHA256, keyed with the client secret, of everything that decides which
// account and which grant an access token belongs to.
func tokenStoreKey(rc *resolvedConfig) string {
	mac := hmac.New(sha256.New, []byte(rc.ClientSecret))
	for _, part := range []string{"terraform-provider-cliq access token v1", rc.accountsBase.String(), rc.apiBase.String(), rc.ClientID, rc.RefreshToken} {
		mac.Write([]byte(part))
		mac.Write([]byte{0})
	}
	return hex.EncodeToString(mac.Sum(nil))
}

// tokenStoreError is an access-token file that cannot be used: the process then refreshes on its own.
type tokenStoreError struct {
	what string
	path string
	err  error
}

func (e *tokenStoreError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("access-token file %s %s", e.path, e.what)
	}
	return fmt.Sprintf("access-token file %s %s: %v", e.path, e.what, e.err)
}

func (e *tokenStoreError) Unwrap() error { return e.err }

// tokenFile is the access-token file of one account and set of credentials.
type tokenFile struct {
	path, lockPath string
	key            string
	lockWait       time.Duration
}

func newTokenFile(dir, key string) *tokenFile {
	base := filepath.Join(dir, "token-"+key[:16])
	return &tokenFile{path: base + ".json", lockPath: base + ".lock", key: key, lockWait: tokenLockWait}
}

// read returns the file's content, nil when there is none yet. It takes no lock: the file is only
// ever replaced whole.
func (f *tokenFile) read() (*sharedToken, error) {
	info, err := os.Lstat(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &tokenStoreError{what: "cannot be read", path: f.path, err: err}
	}
	if !info.Mode().IsRegular() {
		return nil, &tokenStoreError{what: "is not a regular file", path: f.path}
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, &tokenStoreError{what: fmt.Sprintf("is open to other users (mode %04o, want 0600) and is not used; remove it", perm), path: f.path}
	}
	data, err := os.ReadFile(f.path)
	if err != nil {
		return nil, &tokenStoreError{what: "cannot be read", path: f.path, err: err}
	}
	var st sharedToken
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, &tokenStoreError{what: "is corrupt (not the JSON this provider writes)", path: f.path, err: err}
	}
	if st.Version != tokenFileVersion {
		return nil, &tokenStoreError{what: fmt.Sprintf("is of format %d (this provider knows format %d) and is left as it is", st.Version, tokenFileVersion), path: f.path}
	}
	if !hmac.Equal([]byte(st.Key), []byte(f.key)) {
		// Another account or other credentials whose key shares the file name's prefix: start afresh.
		return nil, nil
	}
	return &st, nil
}

// withLock runs fn on the file's content (nil: none yet) under the file's lock, and writes what fn
// returns (nil: nothing). Failures to use the file are *tokenStoreError; fn's error is returned as is.
func (f *tokenFile) withLock(ctx context.Context, fn func(cur *sharedToken) (*sharedToken, error)) error {
	dir := filepath.Dir(f.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return &tokenStoreError{what: "cannot have its directory created", path: f.path, err: err}
	}
	lock, err := os.OpenFile(f.lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return &tokenStoreError{what: "cannot have its lock file opened", path: f.path, err: err}
	}
	defer lock.Close()
	unlock, err := lockFile(ctx, lock, f.lockWait)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &tokenStoreError{what: "cannot be locked", path: f.path, err: err}
	}
	defer unlock()
	cur, err := f.read()
	if err != nil {
		return err
	}
	next, fnErr := fn(cur)
	if next != nil {
		next.Version, next.Key = tokenFileVersion, f.key
		if err := f.write(next); err != nil {
			return errors.Join(fnErr, err)
		}
	}
	return fnErr
}

// write replaces the file atomically: a temporary file (0600) in the same directory, renamed.
func (f *tokenFile) write(st *sharedToken) error {
	data, err := json.Marshal(st)
	if err != nil {
		return &tokenStoreError{what: "cannot be written", path: f.path, err: err}
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), ".token-*.tmp")
	if err != nil {
		return &tokenStoreError{what: "cannot be written", path: f.path, err: err}
	}
	defer os.Remove(tmp.Name()) // after a successful rename, there is nothing left to remove
	if err = tmp.Chmod(0o600); err == nil {
		if _, err = tmp.Write(data); err == nil {
			err = tmp.Sync()
		}
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f.path)
	}
	if err != nil {
		return &tokenStoreError{what: "cannot be written", path: f.path, err: err}
	}
	return nil
}

// tokenMargin is how long before its expiry a token is no longer handed out: a twelfth of its
// lifetime (five minutes of Zoho's hour), and at least x/oauth2's ten seconds.
func tokenMargin(obtained, expiry time.Time) time.Duration {
	return max(min(5*time.Minute, expiry.Sub(obtained)/12), 10*time.Second)
}

// usable reports whether a token obtained at obtained and expiring at expiry may still be sent at now.
func usable(obtained, expiry, now time.Time) bool {
	return !expiry.IsZero() && now.Add(tokenMargin(obtained, expiry)).Before(expiry)
}

// RefreshLimitError is a refresh the client did not send, because it would exceed Zoho's limit
// on access tokens per refresh token.
type RefreshLimitError struct {
	Limit      int
	Window     time.Duration
	RetryAfter time.Time
}

func (e *RefreshLimitError) Error() string {
	return fmt.Sprintf("the access token was not refreshed: this machine already obtained %d access tokens from this refresh token within %s, "+
		"Zoho's limit (at most %d access tokens per refresh token in %s; one more would be refused with \"Access Denied\"). "+
		"Retry after %s (in %s), or set access_token for a while.",
		e.Limit, humanDuration(e.Window), e.Limit, humanDuration(e.Window), e.RetryAfter.UTC().Format(time.RFC3339), time.Until(e.RetryAfter).Round(time.Second))
}

func humanDuration(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		if d == time.Minute {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return d.String()
}

// countRefresh records a refresh about to be sent at now in st, or refuses it when the window
// already holds limit refreshes.
func countRefresh(st *sharedToken, now time.Time, limit int, window time.Duration) error {
	kept := st.Refreshes[:0:0]
	for _, at := range st.Refreshes {
		if now.Sub(at) < window && !at.After(now.Add(window)) {
			kept = append(kept, at)
		}
	}
	st.Refreshes = kept
	if len(kept) >= limit {
		return &RefreshLimitError{Limit: limit, Window: window, RetryAfter: kept[len(kept)-limit].Add(window)}
	}
	st.Refreshes = append(st.Refreshes, now)
	return nil
}

// logTokenFileFallback logs, once per process, that the access token is no longer shared.
func logTokenFileFallback(ctx context.Context, err error, path string) {
	tflog.SubsystemWarn(ctx, logSubsystem, fmt.Sprintf("Cannot use the access-token file, so this process refreshes its access token in this process only "+
		"and does not share it with other provider processes for this account (Terraform's plan and apply, back-to-back runs): %v. "+
		"Set CLIQ_RATE_STATE_DIR to a directory the provider can write, or to \"off\" to keep tokens and budgets in process without this warning.", err),
		map[string]any{"path": path})
}
