package cliq

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// DataCenter names the Cliq host and the Zoho accounts host of one Zoho data centre.
type DataCenter struct {
	CliqURL     string
	AccountsURL string
}

// DataCenters maps the provider's data_center values to their hosts: every data centre in Cliq's
// own table (https://www.zoho.com/cliq/help/platform/cliq-objects/access-object.html).
var DataCenters = map[string]DataCenter{
	"us": {"https://cliq.zoho.com", "https://accounts.zoho.com"},
	"eu": {"https://cliq.zoho.eu", "https://accounts.zoho.eu"},
	"in": {"https://cliq.zoho.in", "https://accounts.zoho.in"},
	"au": {"https://cliq.zoho.com.au", "https://accounts.zoho.com.au"},
	"jp": {"https://cliq.zoho.jp", "https://accounts.zoho.jp"},
	"ca": {"https://cliq.zohocloud.ca", "https://accounts.zohocloud.ca"},
	"sa": {"https://cliq.zoho.sa", "https://accounts.zoho.sa"},
	"uk": {"https://cliq.zoho.uk", "https://accounts.zoho.uk"},
	"cn": {"https://cliq.zoho.com.cn", "https://accounts.zoho.com.cn"},
	"ae": {"https://cliq.zoho.ae", "https://accounts.zoho.ae"},
}

// DataCenterNames lists the valid data_center values, sorted.
func DataCenterNames() []string {
	names := make([]string, 0, len(DataCenters))
	for n := range DataCenters {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Config configures a Client. Either AccessToken, or ClientID, ClientSecret and RefreshToken.
type Config struct {
	DataCenter  string // default "us"
	APIURL      string // root URL such as https://cliq.zoho.eu; the client appends /api/v3
	AccountsURL string // root URL of the Zoho accounts server

	AccessToken  string
	ClientID     string
	ClientSecret string
	RefreshToken string

	UserAgent  string       // default "terraform-provider-cliq/dev"
	HTTPClient *http.Client // default: a client with a 60s timeout

	// RateWindow and LockPeriod are the vendor's minute and lock period; tests scale them down.
	// Operations documented with a longer lock (GET /chats: 10 minutes) lock for as much longer.
	RateWindow time.Duration // default time.Minute
	LockPeriod time.Duration // default 5 minutes
	// RateMargin is how many requests below each documented threshold the client stays (default 0:
	// the documented threshold is what Cliq allows). The safety margin is in time instead: see RatePad.
	RateMargin int
	// RatePad lengthens the window a request holds its slot for, counted from its answer (default
	// RateWindow/50: 1.2s of a real minute), so clock granularity and rounding at Cliq's end never
	// let one window hold more than the threshold.
	RatePad time.Duration
	// RateStateDir, when set, holds a small file per account in which every provider process records
	// its recent requests, so back-to-back Terraform runs share one budget. Empty: in-memory only.
	RateStateDir string

	// TokenRefreshLimit and TokenRefreshWindow are Zoho's limit on access tokens per refresh token
	// (default 10 in 10 minutes): the client refuses to refresh beyond it. Tests scale the window.
	TokenRefreshLimit  int
	TokenRefreshWindow time.Duration

	// RetryBaseDelay is the first backoff delay after a server error (default 500ms).
	RetryBaseDelay time.Duration
	// BatchDelay is how long a pin to remove waits for others from its folder to share one request (default 300ms).
	BatchDelay time.Duration
}

// resolvedConfig is a validated Config with defaults applied.
type resolvedConfig struct {
	Config
	apiBase      *url.URL // .../api/v3
	accountsBase *url.URL
}

func (c Config) resolve() (*resolvedConfig, error) {
	rc := &resolvedConfig{Config: c}
	dcName := strings.ToLower(strings.TrimSpace(c.DataCenter))
	if dcName == "" {
		dcName = "us"
	}
	dc, ok := DataCenters[dcName]
	if !ok {
		return nil, fmt.Errorf("unknown data_center %q: use one of %s", c.DataCenter, strings.Join(DataCenterNames(), ", "))
	}
	rc.DataCenter = dcName
	apiRoot := c.APIURL
	if apiRoot == "" {
		apiRoot = dc.CliqURL
	}
	accountsRoot := c.AccountsURL
	if accountsRoot == "" {
		if c.APIURL != "" && IsLoopbackURL(c.APIURL) {
			// A local fake serves the token endpoint at its root, also when api_url has a path
			// (a Cliq network's /network/{name}).
			accountsRoot = c.APIURL
			if u, err := url.Parse(strings.TrimSpace(c.APIURL)); err == nil {
				u.Path, u.RawPath = "", ""
				accountsRoot = u.String()
			}
		} else {
			accountsRoot = dc.AccountsURL
		}
	}
	var err error
	if rc.apiBase, err = parseRoot("api_url", apiRoot); err != nil {
		return nil, err
	}
	rc.apiBase.Path = strings.TrimSuffix(rc.apiBase.Path, "/")
	if !strings.HasSuffix(rc.apiBase.Path, "/api/v3") {
		rc.apiBase.Path += "/api/v3"
	}
	if rc.accountsBase, err = parseRoot("accounts_url", accountsRoot); err != nil {
		return nil, err
	}
	rc.accountsBase.Path = strings.TrimSuffix(rc.accountsBase.Path, "/")

	hasStatic := c.AccessToken != ""
	hasOAuth := c.ClientID != "" || c.ClientSecret != "" || c.RefreshToken != ""
	switch {
	case hasStatic && hasOAuth:
		return nil, fmt.Errorf("both access_token and OAuth credentials (client_id, client_secret, refresh_token) are set: set only one style")
	case !hasStatic && !hasOAuth:
		return nil, fmt.Errorf("no credentials: set access_token (CLIQ_ACCESS_TOKEN), or client_id, client_secret and refresh_token (CLIQ_CLIENT_ID, CLIQ_CLIENT_SECRET, CLIQ_REFRESH_TOKEN)")
	case hasOAuth:
		var missing []string
		if c.ClientID == "" {
			missing = append(missing, "client_id (CLIQ_CLIENT_ID)")
		}
		if c.ClientSecret == "" {
			missing = append(missing, "client_secret (CLIQ_CLIENT_SECRET)")
		}
		if c.RefreshToken == "" {
			missing = append(missing, "refresh_token (CLIQ_REFRESH_TOKEN)")
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("incomplete OAuth credentials: also set %s", strings.Join(missing, " and "))
		}
	}

	if rc.UserAgent == "" {
		rc.UserAgent = "terraform-provider-cliq/dev"
	}
	if rc.HTTPClient == nil {
		rc.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	if rc.RateWindow <= 0 {
		rc.RateWindow = time.Minute
	}
	if rc.LockPeriod <= 0 {
		rc.LockPeriod = 5 * time.Minute
	}
	if rc.RateMargin < 0 {
		rc.RateMargin = 0
	}
	if rc.RatePad <= 0 {
		rc.RatePad = rc.RateWindow / 50
	}
	if rc.TokenRefreshLimit <= 0 {
		rc.TokenRefreshLimit = 10
	}
	if rc.TokenRefreshWindow <= 0 {
		rc.TokenRefreshWindow = 10 * time.Minute
	}
	if rc.RetryBaseDelay <= 0 {
		rc.RetryBaseDelay = 500 * time.Millisecond
	}
	if rc.BatchDelay <= 0 {
		rc.BatchDelay = 300 * time.Millisecond
	}
	return rc, nil
}

// parseRoot checks a root URL: https, or plain http to a loopback host only, so that credentials
// never cross a network in the clear.
func parseRoot(attr, raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("%s %q is not a URL: use a root URL such as https://cliq.zoho.eu", attr, shownURL(raw))
	}
	if u.User != nil {
		// Go would send them as Basic credentials, and they would show in logs and errors.
		return nil, fmt.Errorf("%s %q must not carry a user name or password: set credentials with access_token or client_id, client_secret and refresh_token", attr, u.Redacted())
	}
	if u.Scheme == "http" && !IsLoopbackURL(raw) {
		return nil, fmt.Errorf("%s %q uses plain http to a host that is not loopback: credentials would cross the network unencrypted; use https", attr, raw)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, fmt.Errorf("%s %q must not carry a query or fragment", attr, raw)
	}
	return u, nil
}

// shownURL is raw fit for an error message: a password it may carry is hidden.
func shownURL(raw string) string {
	if u, err := url.Parse(strings.TrimSpace(raw)); err == nil && u.User != nil {
		return u.Redacted()
	}
	if i := strings.Index(raw, "@"); i >= 0 {
		if j := strings.Index(raw, "://"); j >= 0 && j < i {
			return raw[:j+3] + "xxxxx" + raw[i:] // what may be user:password before the host
		}
	}
	return raw
}

// IsLoopbackURL reports whether raw points at this machine (a local fake server).
func IsLoopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
