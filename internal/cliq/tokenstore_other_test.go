//go:build !unix

package cliq

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// TestNoTokenFileWithoutUnix: where the access-token file cannot be locked nor kept to its owner,
// it is not used: each process refreshes on its own, as before the file existed, without a warning.
func TestNoTokenFileWithoutUnix(t *testing.T) {
	dir := t.TempDir()
	e := newTestEnv(t, oauthOpts, func(c *Config) { c.RateStateDir = dir })
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(testCtx(t), &logs)
	for range 2 {
		_, err := e.client.ListFolders(ctx)
		must(t, err)
	}
	if n := e.fake.RequestCount(fakecliq.OpToken); n != 1 {
		t.Fatalf("token requests = %d, want 1", n)
	}
	if strings.Contains(logs.String(), "access-token file") {
		t.Errorf("a warning about the access-token file: %s", logs.String())
	}
	entries, err := os.ReadDir(dir)
	must(t, err)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "token-") || strings.HasPrefix(e.Name(), ".token-") {
			t.Errorf("the access-token file was written: %s", e.Name())
		}
	}
}
