package cliq

import (
	"strings"
	"testing"
)

func TestConfigValidation(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want string // substring of the error, "" for success
	}{
		{"static token", Config{AccessToken: "t"}, ""},
		{"oauth", Config{ClientID: "i", ClientSecret: "s", RefreshToken: "r"}, ""},
		{"no credentials", Config{}, "no credentials: set access_token (CLIQ_ACCESS_TOKEN), or client_id"},
		{"both styles", Config{AccessToken: "t", RefreshToken: "r"}, "both access_token and OAuth credentials"},
		{"oauth incomplete", Config{ClientID: "i"}, "also set client_secret (CLIQ_CLIENT_SECRET) and refresh_token (CLIQ_REFRESH_TOKEN)"},
		{"unknown data centre", Config{AccessToken: "t", DataCenter: "mars"}, `unknown data_center "mars": use one of ae, au, ca, cn, eu, in, jp, sa, uk, us`},
		{"http to remote", Config{AccessToken: "t", APIURL: "http://cliq.example.com"}, "plain http to a host that is not loopback"},
		{"http to loopback", Config{AccessToken: "t", APIURL: "http://127.0.0.1:8088"}, ""},
		{"http to localhost", Config{AccessToken: "t", APIURL: "http://localhost:8088"}, ""},
		{"accounts over http", Config{ClientID: "i", ClientSecret: "s", RefreshToken: "r", AccountsURL: "http://10.0.0.1"}, "accounts_url \"http://10.0.0.1\" uses plain http"},
		{"not a url", Config{AccessToken: "t", APIURL: "cliq.zoho.eu"}, "is not a URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestDataCentresResolveBothHosts(t *testing.T) {
	// Cliq's table: https://www.zoho.com/cliq/help/platform/cliq-objects/access-object.html
	for _, name := range []string{"us", "eu", "in", "au", "jp", "ca", "sa", "uk", "cn", "ae"} {
		if _, ok := DataCenters[name]; !ok {
			t.Errorf("data centre %q is missing", name)
		}
	}
	if c, err := New(Config{AccessToken: "t", DataCenter: "ae"}); err != nil || c.APIBaseURL() != "https://cliq.zoho.ae/api/v3" || c.cfg.accountsBase.String() != "https://accounts.zoho.ae" {
		t.Errorf("data_center ae: %v", err)
	}
	for name, dc := range DataCenters {
		c, err := New(Config{AccessToken: "t", DataCenter: strings.ToUpper(name)})
		if err != nil {
			t.Fatal(err)
		}
		if want := dc.CliqURL + "/api/v3"; c.APIBaseURL() != want {
			t.Errorf("%s: api base %s, want %s", name, c.APIBaseURL(), want)
		}
		if c.cfg.accountsBase.String() != dc.AccountsURL {
			t.Errorf("%s: accounts %s, want %s", name, c.cfg.accountsBase, dc.AccountsURL)
		}
	}
	c, _ := New(Config{AccessToken: "t", APIURL: "https://cliq.zoho.eu/"})
	if c.APIBaseURL() != "https://cliq.zoho.eu/api/v3" {
		t.Errorf("api_url root not extended: %s", c.APIBaseURL())
	}
}

// TestURLsWithCredentialsAreRefused: a user name or password in api_url or accounts_url would be sent
// as Basic credentials and show in logs; the error does not show the password.
func TestURLsWithCredentialsAreRefused(t *testing.T) {
	for _, cfg := range []Config{
		{AccessToken: "t", APIURL: "https://user:hunter22@cliq.zoho.eu"},
		{ClientID: "i", ClientSecret: "s", RefreshToken: "r", AccountsURL: "https://user:hunter22@accounts.zoho.eu"},
		{AccessToken: "t", APIURL: "https://user:hunter22@cliq.zoho.eu:notaport"},
	} {
		_, err := New(cfg)
		if err == nil || strings.Contains(err.Error(), "hunter22") {
			t.Errorf("config %+v: err = %v, want a refusal that hides the password", cfg, err)
		}
	}
	if _, err := New(Config{AccessToken: "t", APIURL: "https://cliq.zoho.eu?"}); err == nil || !strings.Contains(err.Error(), "query") {
		t.Errorf("an empty query was accepted: %v", err)
	}
}

// TestNetworkAPIURL: a Cliq network's root (https://cliq.zoho.com/network/{NAME}) as api_url puts
// every endpoint under it; against a fake that serves only there, the client works, refreshing at
// the fake's root, and the plain root is refused.
func TestNetworkAPIURL(t *testing.T) {
	c, err := New(Config{AccessToken: "t", APIURL: "https://cliq.zoho.com/network/zylkerclients/"})
	must(t, err)
	if got := c.APIBaseURL(); got != "https://cliq.zoho.com/network/zylkerclients/api/v3" {
		t.Fatalf("api base %s", got)
	}
	if got := c.cfg.accountsBase.String(); got != "https://accounts.zoho.com" {
		t.Fatalf("accounts %s", got)
	}

	opts := oauthOpts
	opts.Network = "zylkerclients"
	e := newTestEnv(t, opts, func(c *Config) { c.APIURL += "/network/zylkerclients" })
	ctx := testCtx(t)
	f, err := e.client.CreateFolder(ctx, "Partners", "", []string{"1488288613043522033"})
	must(t, err)
	folders, err := e.client.ListFolders(ctx)
	must(t, err)
	if len(folders) != 2 || folders[1].ID != f.ID {
		t.Fatalf("folders %+v", folders)
	}
	plain := newTestEnv(t, opts)
	if _, err := plain.client.ListFolders(ctx); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("the plain root on a network-only server: %v, want a 404", err)
	}
}
