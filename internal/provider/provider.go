// Package provider maps Zoho Cliq's My Pins onto Terraform: resources, data sources and the
// provider configuration.
package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cliq-tf/terraform-provider-cliq/internal/cliq"
)

var _ provider.Provider = (*cliqProvider)(nil)

// New returns the provider factory for the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &cliqProvider{version: version} }
}

type cliqProvider struct {
	version string
}

type providerModel struct {
	DataCenter   types.String `tfsdk:"data_center"`
	APIURL       types.String `tfsdk:"api_url"`
	AccountsURL  types.String `tfsdk:"accounts_url"`
	AccessToken  types.String `tfsdk:"access_token"`
	ClientID     types.String `tfsdk:"client_id"`
	ClientSecret types.String `tfsdk:"client_secret"`
	RefreshToken types.String `tfsdk:"refresh_token"`
}

func (p *cliqProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "cliq"
	resp.Version = p.version
}

func (p *cliqProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Manage Zoho Cliq chat folders (\"My Pins\") and pinned chats.",
		MarkdownDescription: "Manage Zoho Cliq chat folders (\"My Pins\") and pinned chats.\n\n" +
			"Every argument can also be set with an environment variable, which is how Terraform Cloud workspaces usually pass credentials. " +
			"Authenticate with either `access_token`, or `client_id`, `client_secret` and `refresh_token` from a Zoho Self Client.",
		Attributes: map[string]schema.Attribute{
			"data_center": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Zoho data centre of the Cliq account: one of `" + strings.Join(cliq.DataCenterNames(), "`, `") +
					"`. Chooses both the Cliq host and the Zoho accounts host. Defaults to `us`. Environment variable: `CLIQ_DATA_CENTER`.",
				Validators: []validator.String{stringvalidator.OneOfCaseInsensitive(cliq.DataCenterNames()...)},
			},
			"api_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Root URL of the Cliq API, such as `https://cliq.zoho.eu`; the provider appends `/api/v3`. Overrides `data_center` for API calls. " +
					"Plain `http://` is accepted only for loopback hosts (a local fake server). Environment variable: `CLIQ_API_URL`.",
			},
			"accounts_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Root URL of the Zoho accounts server that refreshes access tokens, such as `https://accounts.zoho.eu`. Overrides `data_center` for token refreshes. " +
					"Environment variable: `CLIQ_ACCOUNTS_URL`.",
			},
			"access_token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "A Zoho OAuth access token with the scopes `ZohoCliq.Chats.READ`, `ZohoCliq.Chats.CREATE`, `ZohoCliq.Chats.UPDATE` and `ZohoCliq.Chats.DELETE`. " +
					"Access tokens expire after an hour: for anything but a quick try, use `client_id`, `client_secret` and `refresh_token` instead. Conflicts with them. Environment variable: `CLIQ_ACCESS_TOKEN`.",
			},
			"client_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Client ID of a Zoho Self Client (Zoho API console). Use with `client_secret` and `refresh_token`. Environment variable: `CLIQ_CLIENT_ID`.",
			},
			"client_secret": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Client secret of the Zoho Self Client. Environment variable: `CLIQ_CLIENT_SECRET`.",
			},
			"refresh_token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "A refresh token minted with the Self Client for the scopes `ZohoCliq.Chats.READ,ZohoCliq.Chats.CREATE,ZohoCliq.Chats.UPDATE,ZohoCliq.Chats.DELETE`. " +
					"The provider refreshes the access token only when it has expired, so a run costs at most one refresh. Environment variable: `CLIQ_REFRESH_TOKEN`.",
			},
		},
	}
}

// settings pairs each attribute with its environment variable.
var settings = []struct {
	attr, env string
	get       func(*providerModel) types.String
	set       func(*cliq.Config, string)
}{
	{"data_center", "CLIQ_DATA_CENTER", func(m *providerModel) types.String { return m.DataCenter }, func(c *cliq.Config, v string) { c.DataCenter = v }},
	{"api_url", "CLIQ_API_URL", func(m *providerModel) types.String { return m.APIURL }, func(c *cliq.Config, v string) { c.APIURL = v }},
	{"accounts_url", "CLIQ_ACCOUNTS_URL", func(m *providerModel) types.String { return m.AccountsURL }, func(c *cliq.Config, v string) { c.AccountsURL = v }},
	{"access_token", "CLIQ_ACCESS_TOKEN", func(m *providerModel) types.String { return m.AccessToken }, func(c *cliq.Config, v string) { c.AccessToken = v }},
	{"client_id", "CLIQ_CLIENT_ID", func(m *providerModel) types.String { return m.ClientID }, func(c *cliq.Config, v string) { c.ClientID = v }},
	{"client_secret", "CLIQ_CLIENT_SECRET", func(m *providerModel) types.String { return m.ClientSecret }, func(c *cliq.Config, v string) { c.ClientSecret = v }},
	{"refresh_token", "CLIQ_REFRESH_TOKEN", func(m *providerModel) types.String { return m.RefreshToken }, func(c *cliq.Config, v string) { c.RefreshToken = v }},
}

func (p *cliqProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg := cliq.Config{UserAgent: "terraform-provider-cliq/" + p.version}
	for _, s := range settings {
		v := s.get(&m)
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(s.attr), "Unknown provider argument",
				fmt.Sprintf("%s depends on a value known only after apply; the provider needs it to plan. Set it to a known value or use the %s environment variable.", s.attr, s.env))
			continue
		}
		val := os.Getenv(s.env)
		if !v.IsNull() {
			val = v.ValueString()
		}
		s.set(&cfg, val)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if err := applyTestingEnv(&cfg); err != nil {
		resp.Diagnostics.AddError("Invalid testing setting", err.Error())
		return
	}
	if hook := testConfigHook(cfg.APIURL); hook != nil {
		hook(&cfg)
	}
	client, err := sharedClient(cfg)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Cliq provider configuration", err.Error())
		return
	}
	data := &providerData{client: client}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ListResourceData = data
}

// providerData is what Configure hands to every resource and data source.
type providerData struct {
	client *cliq.Client
}

// configuredClient is the client a resource, data source or list resource gets from the
// provider's Configure; nil before the provider is configured (as in validation).
func configuredClient(data any, diags *diag.Diagnostics) *cliq.Client {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider, please report it.", data))
		return nil
	}
	return pd.client
}

// applyTestingEnv reads the settings tests and benchmarks use: CLIQ_TIME_SCALE shrinks the
// vendor's minute, lock period and token-refresh window alike (the fake reads the same variable), and
// CLIQ_RATE_STATE_DIR moves ("off" disables) the file through which provider processes share
// their rate budgets.
func applyTestingEnv(cfg *cliq.Config) error {
	if v := os.Getenv("CLIQ_TIME_SCALE"); v != "" {
		scale, err := strconv.ParseFloat(v, 64)
		if err != nil || scale <= 0 {
			return fmt.Errorf("CLIQ_TIME_SCALE=%q is not a positive number", v)
		}
		if !cliq.IsLoopbackURL(cfg.APIURL) {
			// Against Cliq itself a shorter minute would trip the five-minute lock.
			return fmt.Errorf("CLIQ_TIME_SCALE is for tests against a local fake Cliq server: unset it, or point api_url (CLIQ_API_URL) at a loopback address")
		}
		cfg.RateWindow = time.Duration(float64(time.Minute) / scale)
		cfg.LockPeriod = time.Duration(float64(5*time.Minute) / scale)
		cfg.RetryBaseDelay = max(time.Duration(float64(500*time.Millisecond)/scale), 10*time.Millisecond)
		cfg.TokenRefreshWindow = time.Duration(float64(10*time.Minute) / scale)
	}
	switch dir := os.Getenv("CLIQ_RATE_STATE_DIR"); dir {
	case "off":
	case "":
		if cache, err := os.UserCacheDir(); err == nil {
			cfg.RateStateDir = filepath.Join(cache, "terraform-provider-cliq")
		}
	default:
		cfg.RateStateDir = dir
	}
	return nil
}

// testConfigHooks lets tests adjust the client configuration of the provider pointed at one fake
// server (by its api_url): time-scaled rate limits, a private budget directory. Empty in production.
var testConfigHooks sync.Map // api_url -> func(*cliq.Config)

func testConfigHook(apiURL string) func(*cliq.Config) {
	if v, ok := testConfigHooks.Load(apiURL); ok {
		hook, _ := v.(func(*cliq.Config))
		return hook
	}
	return nil
}

var (
	clientsMu sync.Mutex
	clients   = map[string]*cliq.Client{}
)

// sharedClient returns one client per distinct configuration in this process, so provider aliases
// for the same account share one budget. A reused client reads the list afresh.
func sharedClient(cfg cliq.Config) (*cliq.Client, error) {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%#v", cfg)))
	key := hex.EncodeToString(sum[:])
	clientsMu.Lock()
	defer clientsMu.Unlock()
	if c, ok := clients[key]; ok {
		c.Invalidate()
		return c, nil
	}
	c, err := cliq.New(cfg)
	if err != nil {
		return nil, err
	}
	clients[key] = c
	return c, nil
}

func (p *cliqProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewPinFolderResource,
		NewPinFolderOrderResource,
		NewChatPinResource,
	}
}

var _ provider.ProviderWithListResources = (*cliqProvider)(nil)

// ListResources are the list resources of Terraform 1.14+ `terraform query`.
func (p *cliqProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewPinFolderListResource,
		NewChatPinListResource,
	}
}

func (p *cliqProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewPinFoldersDataSource,
		NewChatsDataSource,
	}
}
