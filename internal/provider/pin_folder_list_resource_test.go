package provider

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cliq-tf/terraform-provider-cliq/internal/cliq"
	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// pinFolderProto is the provider server driven directly over protocol 6, as Terraform 1.12+
// (identity) and 1.14+ (list resources, terraform query) would, pointed at a fake.
type pinFolderProto struct {
	t      *testing.T
	fake   *fakecliq.Server
	server tfprotov6.ProviderServer
	schema *tfprotov6.GetProviderSchemaResponse
	idType tftypes.Type
}

func newPinFolderProto(t *testing.T) *pinFolderProto {
	t.Helper()
	ctx := context.Background()
	fake, srv := fakecliq.NewTestServer(t, fakecliq.Options{RateWindow: time.Minute / accScale, LockPeriod: 5 * time.Minute / accScale})
	stateDir := t.TempDir()
	testConfigHooks.Store(srv.URL, func(c *cliq.Config) {
		c.RateWindow = time.Minute / accScale
		c.LockPeriod = 5 * time.Minute / accScale
		c.RetryBaseDelay = 10 * time.Millisecond
		c.RateStateDir = stateDir
	})
	t.Cleanup(func() { testConfigHooks.Delete(srv.URL) })

	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schema, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || pinFolderProtoHasError(schema.Diagnostics) {
		t.Fatalf("GetProviderSchema: %v %v", err, schema.Diagnostics)
	}
	ids, err := server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil || pinFolderProtoHasError(ids.Diagnostics) {
		t.Fatalf("GetResourceIdentitySchemas: %v %v", err, ids.Diagnostics)
	}
	idSchema, ok := ids.IdentitySchemas["cliq_pin_folder"]
	if !ok {
		t.Fatal("cliq_pin_folder has no identity schema")
	}
	p := &pinFolderProto{t: t, fake: fake, server: server, schema: schema, idType: idSchema.ValueType()}

	providerType := schema.Provider.ValueType()
	cfg := map[string]tftypes.Value{}
	for name, typ := range providerType.(tftypes.Object).AttributeTypes {
		cfg[name] = tftypes.NewValue(typ, nil)
	}
	cfg["api_url"] = tftypes.NewValue(tftypes.String, srv.URL)
	cfg["access_token"] = tftypes.NewValue(tftypes.String, fake.AccessToken())
	conf, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.14.0",
		Config:           p.dynamic(providerType, tftypes.NewValue(providerType, cfg)),
	})
	if err != nil || pinFolderProtoHasError(conf.Diagnostics) {
		t.Fatalf("ConfigureProvider: %v %v", err, conf.Diagnostics)
	}
	return p
}

func pinFolderProtoHasError(diags []*tfprotov6.Diagnostic) bool {
	return slices.ContainsFunc(diags, func(d *tfprotov6.Diagnostic) bool { return d.Severity == tfprotov6.DiagnosticSeverityError })
}

func pinFolderProtoDiags(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary + ": " + d.Detail + "\n")
	}
	return b.String()
}

func (p *pinFolderProto) dynamic(typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	p.t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		p.t.Fatal(err)
	}
	return &dv
}

// attrs decodes a dynamic value of type typ into its attributes.
func (p *pinFolderProto) attrs(typ tftypes.Type, dv *tfprotov6.DynamicValue) map[string]tftypes.Value {
	p.t.Helper()
	if dv == nil {
		p.t.Fatal("no value")
	}
	v, err := dv.Unmarshal(typ)
	if err != nil {
		p.t.Fatal(err)
	}
	out := map[string]tftypes.Value{}
	if err := v.As(&out); err != nil {
		p.t.Fatal(err)
	}
	return out
}

func (p *pinFolderProto) str(v tftypes.Value) string {
	p.t.Helper()
	var s string
	if err := v.As(&s); err != nil {
		p.t.Fatal(err)
	}
	return s
}

func (p *pinFolderProto) strs(v tftypes.Value) []string {
	p.t.Helper()
	var elems []tftypes.Value
	if err := v.As(&elems); err != nil {
		p.t.Fatal(err)
	}
	out := []string{}
	for _, e := range elems {
		out = append(out, p.str(e))
	}
	return out
}

func (p *pinFolderProto) identity(id string) *tfprotov6.ResourceIdentityData {
	return &tfprotov6.ResourceIdentityData{IdentityData: p.dynamic(p.idType, tftypes.NewValue(p.idType, map[string]tftypes.Value{
		"category_id": tftypes.NewValue(tftypes.String, id),
	}))}
}

// list runs the cliq_pin_folder list resource with its default configuration, failing the test on
// any error.
func (p *pinFolderProto) list(includeResource bool, limit int64) []tfprotov6.ListResourceResult {
	p.t.Helper()
	results, diags := p.listResource("cliq_pin_folder", nil, includeResource, limit)
	if pinFolderProtoHasError(diags) {
		p.t.Fatalf("list error: %s", pinFolderProtoDiags(diags))
	}
	return results
}

// listConfig is the configuration of list resource typeName with the attributes of cfg set and
// every other attribute null.
func (p *pinFolderProto) listConfig(typeName string, cfg map[string]tftypes.Value) *tfprotov6.DynamicValue {
	p.t.Helper()
	listSchema, ok := p.schema.ListResourceSchemas[typeName]
	if !ok {
		p.t.Fatalf("the provider has no %s list resource", typeName)
	}
	listType := listSchema.ValueType()
	vals := map[string]tftypes.Value{}
	for name, typ := range listType.(tftypes.Object).AttributeTypes {
		vals[name] = tftypes.NewValue(typ, nil)
		if v, ok := cfg[name]; ok {
			vals[name] = v
		}
	}
	for name := range cfg {
		if _, ok := vals[name]; !ok {
			p.t.Fatalf("the %s list resource has no attribute %s", typeName, name)
		}
	}
	return p.dynamic(listType, tftypes.NewValue(listType, vals))
}

// listResource runs list resource typeName with cfg (see listConfig), and returns its results and
// the diagnostics of the listing and of every result.
func (p *pinFolderProto) listResource(typeName string, cfg map[string]tftypes.Value, includeResource bool, limit int64) ([]tfprotov6.ListResourceResult, []*tfprotov6.Diagnostic) {
	p.t.Helper()
	//nolint:staticcheck // the only way to reach ListResource until terraform-plugin-go merges it into ProviderServer
	server, ok := p.server.(tfprotov6.ProviderServerWithListResource)
	if !ok {
		p.t.Fatal("the provider server does not serve list resources")
	}
	stream, err := server.ListResource(context.Background(), &tfprotov6.ListResourceRequest{
		TypeName:        typeName,
		Config:          p.listConfig(typeName, cfg),
		IncludeResource: includeResource,
		Limit:           limit,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	var out []tfprotov6.ListResourceResult
	var diags []*tfprotov6.Diagnostic
	for r := range stream.Results {
		diags = append(diags, r.Diagnostics...)
		if r.Identity != nil {
			out = append(out, r)
		}
	}
	return out, diags
}

// validateList runs Terraform's validation of a list block's configuration.
func (p *pinFolderProto) validateList(typeName string, cfg map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	p.t.Helper()
	//nolint:staticcheck // as in listResource
	server, ok := p.server.(tfprotov6.ProviderServerWithListResource)
	if !ok {
		p.t.Fatal("the provider server does not serve list resources")
	}
	resp, err := server.ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{
		TypeName: typeName,
		Config:   p.listConfig(typeName, cfg),
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.Diagnostics
}

// TestPinFolderListResource_protocol: the list resource finds every folder but My Pins, with its
// identity and, when asked, the whole resource object; one list read serves it.
func TestPinFolderListResource_protocol(t *testing.T) {
	p := newPinFolderProto(t)
	if _, ok := p.schema.ListResourceSchemas["cliq_pin_folder"]; !ok {
		t.Fatal("the provider has no cliq_pin_folder list resource")
	}
	idA := p.fake.CreateFolderOOB("Alpha", ":razz:", []string{"8001", "8002"})
	idB := p.fake.CreateFolderOOB("Beta", "", nil)
	state := "collapsed"
	if err := p.fake.SetFolderOOB(idB, nil, nil, &state); err != nil {
		t.Fatal(err)
	}
	if err := p.fake.PinChatOOB("8009", fakecliq.DefaultFolderID); err != nil {
		t.Fatal(err)
	}

	lists := p.fake.RequestCount(fakecliq.OpListFolders)
	results := p.list(true, 0)
	if n := p.fake.RequestCount(fakecliq.OpListFolders) - lists; n != 1 {
		t.Errorf("list_folders requests: %d, want 1", n)
	}
	if len(results) != 2 {
		t.Fatalf("listed %d folders, want 2 (My Pins is not a folder resource)", len(results))
	}
	resType := p.schema.ResourceSchemas["cliq_pin_folder"].ValueType()
	want := []struct {
		id, title, symbol, state string
		chats                    []string
	}{
		{idA, "Alpha", ":razz:", "expanded", []string{"8001", "8002"}},
		{idB, "Beta", "", "collapsed", []string{}},
	}
	for i, r := range results {
		w := want[i]
		if r.DisplayName != w.title {
			t.Errorf("result %d: display name %q, want %q", i, r.DisplayName, w.title)
		}
		if r.Identity == nil {
			t.Fatalf("result %d has no identity", i)
		}
		if got := p.str(p.attrs(p.idType, r.Identity.IdentityData)["category_id"]); got != w.id {
			t.Errorf("result %d: identity category_id %q, want %q", i, got, w.id)
		}
		res := p.attrs(resType, r.Resource)
		if got := p.str(res["id"]); got != w.id {
			t.Errorf("result %d: id %q, want %q", i, got, w.id)
		}
		if got := p.str(res["title"]); got != w.title {
			t.Errorf("result %d: title %q, want %q", i, got, w.title)
		}
		if got := p.str(res["symbol"]); got != w.symbol {
			t.Errorf("result %d: symbol %q, want %q", i, got, w.symbol)
		}
		if got := p.str(res["state"]); got != w.state {
			t.Errorf("result %d: state %q, want %q", i, got, w.state)
		}
		// By default the chats are left to cliq_chat_pin: chat_ids is null, chats still lists them.
		if !res["chat_ids"].IsNull() {
			t.Errorf("result %d: chat_ids %v, want null (include_chat_ids is false by default)", i, res["chat_ids"])
		}
		var chats []tftypes.Value
		if err := res["chats"].As(&chats); err != nil {
			t.Fatal(err)
		}
		var chatIDs []string
		for _, ch := range chats {
			var attrs map[string]tftypes.Value
			if err := ch.As(&attrs); err != nil {
				t.Fatal(err)
			}
			chatIDs = append(chatIDs, p.str(attrs["chat_id"]))
		}
		if !slices.Equal(chatIDs, w.chats) {
			t.Errorf("result %d: chats %v, want %v", i, chatIDs, w.chats)
		}
		var unpinAll bool
		if err := res["unpin_all_on_destroy"].As(&unpinAll); err != nil || unpinAll {
			t.Errorf("result %d: unpin_all_on_destroy %v (%v), want false", i, unpinAll, err)
		}
	}

	// include_chat_ids = true: each folder claims its chats, in order.
	results, diags := p.listResource("cliq_pin_folder", map[string]tftypes.Value{"include_chat_ids": tftypes.NewValue(tftypes.Bool, true)}, true, 0)
	if pinFolderProtoHasError(diags) || len(results) != 2 {
		t.Fatalf("include_chat_ids = true: %d results, diagnostics %s", len(results), pinFolderProtoDiags(diags))
	}
	for i, r := range results {
		if got := p.strs(p.attrs(resType, r.Resource)["chat_ids"]); !slices.Equal(got, want[i].chats) {
			t.Errorf("include_chat_ids = true, result %d: chat_ids %v, want %v", i, got, want[i].chats)
		}
	}

	// Without the resource object, and with a limit.
	results = p.list(false, 1)
	if len(results) != 1 {
		t.Fatalf("listed %d folders with limit 1, want 1", len(results))
	}
	if results[0].Resource != nil {
		if v, err := results[0].Resource.Unmarshal(resType); err == nil && !v.IsNull() {
			t.Errorf("the resource object was sent although not asked for: %v", v)
		}
	}
	if got := p.str(p.attrs(p.idType, results[0].Identity.IdentityData)["category_id"]); got != idA {
		t.Errorf("first listed folder %q, want %q", got, idA)
	}
}

// TestPinFolderIdentity_protocol: import by identity (Terraform 1.12+), the identity a read returns,
// and My Pins refused by identity too.
func TestPinFolderIdentity_protocol(t *testing.T) {
	p := newPinFolderProto(t)
	ctx := context.Background()
	id := p.fake.CreateFolderOOB("Gamma", ":smile:", []string{"8101"})
	resType := p.schema.ResourceSchemas["cliq_pin_folder"].ValueType()

	imp, err := p.server.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{
		TypeName: "cliq_pin_folder",
		Identity: p.identity(id),
	})
	if err != nil || pinFolderProtoHasError(imp.Diagnostics) {
		t.Fatalf("ImportResourceState: %v %s", err, pinFolderProtoDiags(imp.Diagnostics))
	}
	if len(imp.ImportedResources) != 1 {
		t.Fatalf("imported %d resources, want 1", len(imp.ImportedResources))
	}
	imported := imp.ImportedResources[0]
	if got := p.str(p.attrs(resType, imported.State)["id"]); got != id {
		t.Errorf("imported id %q, want %q", got, id)
	}

	read, err := p.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
		TypeName:        "cliq_pin_folder",
		CurrentState:    imported.State,
		CurrentIdentity: imported.Identity,
	})
	if err != nil || pinFolderProtoHasError(read.Diagnostics) {
		t.Fatalf("ReadResource: %v %s", err, pinFolderProtoDiags(read.Diagnostics))
	}
	st := p.attrs(resType, read.NewState)
	if got := p.str(st["title"]); got != "Gamma" {
		t.Errorf("read title %q, want Gamma", got)
	}
	if got := p.strs(st["chat_ids"]); !slices.Equal(got, []string{"8101"}) {
		t.Errorf("read chat_ids %v, want [8101]", got)
	}
	if read.NewIdentity == nil {
		t.Fatal("the read returned no identity")
	}
	if got := p.str(p.attrs(p.idType, read.NewIdentity.IdentityData)["category_id"]); got != id {
		t.Errorf("read identity category_id %q, want %q", got, id)
	}

	for _, bad := range []struct{ id, msg string }{
		{"default", "built-in My Pins section"},
		{"4999999999999", "no chat folder with id"},
	} {
		imp, err := p.server.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{
			TypeName: "cliq_pin_folder",
			Identity: p.identity(bad.id),
		})
		if err != nil {
			t.Fatal(err)
		}
		if !pinFolderProtoHasError(imp.Diagnostics) || !strings.Contains(pinFolderProtoDiags(imp.Diagnostics), bad.msg) {
			t.Errorf("import by identity %q: diagnostics %q, want an error saying %q", bad.id, pinFolderProtoDiags(imp.Diagnostics), bad.msg)
		}
	}
}
