package cliq

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzConfigValues feeds the provider's data centre and URL settings (data_center, api_url,
// accounts_url, as from configuration or CLIQ_* variables). Invariants: no panic; a rejected value
// gets an error naming the setting; an accepted one yields an https URL (or plain http to this
// machine only) without credentials, query or fragment, the API one ending in /api/v3.
func FuzzConfigValues(f *testing.F) {
	f.Add("eu", "", "")
	f.Add("", "https://cliq.zoho.eu", "https://accounts.zoho.eu")
	f.Add("US ", "https://cliq.zoho.com/api/v3/", "")
	f.Add("mars", "", "")
	f.Add("", "http://127.0.0.1:8088", "")
	f.Add("", "http://cliq.example.com", "")
	f.Add("", "cliq.zoho.eu", "")
	f.Add("", "https://user:hunter2@cliq.zoho.eu", "")
	f.Add("", "https://cliq.zoho.eu?x=1#y", "https://accounts.zoho.eu/%zz")
	f.Add("", "http://[::1]:8080/base", "http://localhost.example.com")
	f.Fuzz(func(t *testing.T, dc, apiURL, accountsURL string) {
		rc, err := Config{DataCenter: dc, APIURL: apiURL, AccountsURL: accountsURL, AccessToken: "t"}.resolve()
		if err != nil {
			msg := err.Error()
			if !strings.Contains(msg, "data_center") && !strings.Contains(msg, "api_url") && !strings.Contains(msg, "accounts_url") {
				t.Fatalf("the error does not name the setting: %s", msg)
			}
			for _, v := range []string{apiURL, accountsURL} {
				if u, perr := url.Parse(strings.TrimSpace(v)); perr == nil && u.User != nil {
					if p, ok := u.User.Password(); ok && len(p) >= 4 && strings.Contains(msg, p) {
						t.Fatalf("the error shows the password of a URL: %s", msg)
					}
				}
			}
			return
		}
		if _, ok := DataCenters[rc.DataCenter]; !ok {
			t.Fatalf("accepted data centre %q", rc.DataCenter)
		}
		for name, u := range map[string]*url.URL{"api": rc.apiBase, "accounts": rc.accountsBase} {
			if u.Host == "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
				t.Fatalf("%s URL %q accepted with a missing host, credentials, a query or a fragment", name, u)
			}
			if u.Scheme != "https" && !(u.Scheme == "http" && IsLoopbackURL(u.String())) {
				t.Fatalf("%s URL %q accepted: plain http to a host that is not loopback", name, u)
			}
		}
		if !strings.HasSuffix(rc.apiBase.Path, "/api/v3") {
			t.Fatalf("api base %q does not end in /api/v3", rc.apiBase)
		}
	})
}
