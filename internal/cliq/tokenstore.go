package cliq

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// The access-token file lets the provider processes of one run (Terraform starts one for plan and
// one for apply) and runs that follow each other share an access token while it is valid: Zoho
// allows 10 access tokens per refresh token in 10 minutes ("Access Denied" after), and a token
// lives an hour. It sits beside the budget file, one per grant (accounts server, client id and
// refresh token: Zoho counts per refresh token, and the token serves every Cliq URL of its account,
// a network's path or another alias of the host alike):
//
//   - its name and its key field come from an HMAC of the accounts URL, client id and refresh
//     token keyed with the client secret, so it is never used for another account or other
//     credentials, and it holds neither the refresh token nor the client secret;
//   - it is readable by its owner only (0600), in a directory of the owner's that no one else can
//     write to, opened without following symbolic links and checked on the opened file; it is
//     replaced atomically (a temporary file renamed over it), so a reader without the lock sees a
//     whole file;
//   - a refresh happens under the lock of a sibling .lock file, so that two processes never both
//     refresh: the second finds the first one's token;
//   - it records when each refresh that may have issued a token was sent, so that a run stops
//     before it would exceed Zoho's limit;
//   - it is used on unix only (flock, O_NOFOLLOW, owner-only modes); elsewhere each process
//     refreshes on its own, as before the file existed.

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
// account and which grant an access token belongs to. The API URL is not part of it: a token of the
// grant serves every Cliq URL of the account, and Zoho's limit counts per refresh token. Each part
// is length-prefixed, so that no two lists of parts run into the same bytes.
func tokenStoreKey(rc *resolvedConfig) string {
	mac := hmac.New(sha256.New, []byte(rc.ClientSecret))
	for _, part := range []string{"terraform-provider-cliq access token v2", rc.accountsBase.String(), rc.ClientID, rc.RefreshToken} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		mac.Write(n[:])
		mac.Write([]byte(part))
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

	writeFault error // tests: every write fails with it
}

func newTokenFile(dir, key string) *tokenFile {
	base := filepath.Join(dir, "token-"+key[:16])
	return &tokenFile{path: base + ".json", lockPath: base + ".lock", key: key, lockWait: tokenLockWait}
}

// checkDir checks that the directory holding the file is a directory of the current user's that
// no other user can write to: another user could otherwise replace the file or its lock. It reports
// exists=false when the directory does not exist yet.
func (f *tokenFile) checkDir() (exists bool, err error) {
	dir := filepath.Dir(f.path)
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, &tokenStoreError{what: "cannot have its directory read", path: f.path, err: err}
	}
	if !info.IsDir() {
		return false, &tokenStoreError{what: fmt.Sprintf("is under %s, which is not a directory", dir), path: f.path}
	}
	if !ownedByCurrentUser(info) {
		return false, &tokenStoreError{what: fmt.Sprintf("is in directory %s, which belongs to another user, and is not used", dir), path: f.path}
	}
	if perm := info.Mode().Perm(); perm&0o022 != 0 {
		return false, &tokenStoreError{what: fmt.Sprintf("is in directory %s, which is writable by other users (mode %04o, want 0700), and is not used; chmod it to 0700", dir, perm), path: f.path}
	}
	return true, nil
}

// open opens path without following a symbolic link and checks the opened file: a regular file
// of the current user's. flag is added to O_NOFOLLOW.
func (f *tokenFile) open(path string, flag int, what string) (*os.File, fs.FileInfo, error) {
	file, err := os.OpenFile(path, flag|openNoFollow, 0o600)
	if err != nil {
		if info, lerr := os.Lstat(path); lerr == nil && info.Mode()&fs.ModeSymlink != 0 {
			return nil, nil, &tokenStoreError{what: fmt.Sprintf("%sis a symbolic link, which is not followed; remove it", what), path: f.path}
		}
		return nil, nil, err
	}
	info, err := file.Stat()
	switch {
	case err != nil:
		err = &tokenStoreError{what: what + "cannot be read", path: f.path, err: err}
	case !info.Mode().IsRegular():
		err = &tokenStoreError{what: what + "is not a regular file", path: f.path}
	case !ownedByCurrentUser(info):
		err = &tokenStoreError{what: what + "belongs to another user and is not used; remove it", path: f.path}
	}
	if err != nil {
		file.Close()
		return nil, nil, err
	}
	return file, info, nil
}

// read returns the file's content, nil when there is none yet. It takes no lock: the file is only
// ever replaced whole.
func (f *tokenFile) read() (*sharedToken, error) {
	if exists, err := f.checkDir(); err != nil || !exists {
		return nil, err
	}
	file, info, err := f.open(f.path, os.O_RDONLY, "")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		var serr *tokenStoreError
		if errors.As(err, &serr) {
			return nil, err
		}
		return nil, &tokenStoreError{what: "cannot be read", path: f.path, err: err}
	}
	defer file.Close()
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, &tokenStoreError{what: fmt.Sprintf("is open to other users (mode %04o, want 0600) and is not used; remove it", perm), path: f.path}
	}
	data, err := io.ReadAll(io.LimitReader(file, 1<<20))
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
// returns (nil: nothing). Failures to use the file are *tokenStoreError, and come before fn runs or,
// when fn succeeded, from writing what it returned; when fn fails, its error is returned as is, and
// a failure to write what it returned is only logged: fn may have sent a refresh, and the caller
// must not take the file's failure for leave to send another.
func (f *tokenFile) withLock(ctx context.Context, fn func(cur *sharedToken) (*sharedToken, error)) error {
	dir := filepath.Dir(f.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return &tokenStoreError{what: "cannot have its directory created", path: f.path, err: err}
	}
	if _, err := f.checkDir(); err != nil {
		return err
	}
	lock, _, err := f.open(f.lockPath, os.O_RDWR|os.O_CREATE, "has a lock file that ")
	if err != nil {
		var serr *tokenStoreError
		if errors.As(err, &serr) {
			return err
		}
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
	f.removeStaleTemps()
	cur, err := f.read()
	if err != nil {
		return err
	}
	next, fnErr := fn(cur)
	if next != nil {
		next.Version, next.Key = tokenFileVersion, f.key
		if err := f.write(next); err != nil {
			if fnErr == nil {
				return err
			}
			tflog.SubsystemWarn(ctx, logSubsystem, fmt.Sprintf("The failed token refresh could not be recorded: %v", err), map[string]any{"path": f.path})
		}
	}
	return fnErr
}

// tempPattern names this file's temporary files: only a holder of its lock writes them.
func (f *tokenFile) tempPattern() string { return ".token-" + f.key[:16] + "-*.tmp" }

// removeStaleTemps removes the temporary files a process left when it died while writing. The
// caller holds the lock, so none of them is being written.
func (f *tokenFile) removeStaleTemps() {
	stale, _ := filepath.Glob(filepath.Join(filepath.Dir(f.path), f.tempPattern()))
	for _, name := range stale {
		_ = os.Remove(name)
	}
}

// write replaces the file atomically: a temporary file (0600) in the same directory, renamed.
func (f *tokenFile) write(st *sharedToken) error {
	if f.writeFault != nil {
		return &tokenStoreError{what: "cannot be written", path: f.path, err: f.writeFault}
	}
	data, err := json.Marshal(st)
	if err != nil {
		return &tokenStoreError{what: "cannot be written", path: f.path, err: err}
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), f.tempPattern())
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

// refreshPad lengthens Zoho's window for counting, as RatePad does the budgets' (12s of 10
// minutes): clocks and latency may put a refresh sent one window after another inside Zoho's window.
func refreshPad(window time.Duration) time.Duration { return window / 50 }

// countRefresh records a refresh about to be sent at now in st, or refuses it when the padded
// window already holds limit refreshes.
func countRefresh(st *sharedToken, now time.Time, limit int, window time.Duration) error {
	padded := window + refreshPad(window)
	kept := st.Refreshes[:0:0]
	for _, at := range st.Refreshes {
		if now.Sub(at) < padded && !at.After(now.Add(padded)) {
			kept = append(kept, at)
		}
	}
	st.Refreshes = kept
	if len(kept) >= limit {
		// The clock may have moved backwards between refreshes: the order is not that of the list.
		sorted := slices.SortedFunc(slices.Values(kept), time.Time.Compare)
		return &RefreshLimitError{Limit: limit, Window: window, RetryAfter: sorted[len(sorted)-limit].Add(padded)}
	}
	st.Refreshes = append(st.Refreshes, now)
	return nil
}

// uncountRefresh forgets the refresh recorded at at: it issued no token.
func uncountRefresh(st *sharedToken, at time.Time) {
	if i := slices.IndexFunc(st.Refreshes, at.Equal); i >= 0 {
		st.Refreshes = slices.Delete(st.Refreshes, i, i+1)
	}
}

// logTokenFileFallback logs, once per process, that the access token is no longer shared.
func logTokenFileFallback(ctx context.Context, err error, path string) {
	tflog.SubsystemWarn(ctx, logSubsystem, fmt.Sprintf("Cannot use the access-token file, so this process refreshes its access token in this process only "+
		"and does not share it with other provider processes for this account (Terraform's plan and apply, back-to-back runs): %v. "+
		"Set CLIQ_RATE_STATE_DIR to a directory the provider can write, or to \"off\" to keep tokens and budgets in process without this warning.", err),
		map[string]any{"path": path})
}
