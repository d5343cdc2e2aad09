package provider

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// listedPin is one result of the cliq_chat_pin list resource, decoded.
type listedPin struct {
	display, folder, chat string
	// resource attributes, when the result carries the resource
	id, pinAbove string
	hasResource  bool
}

func (p *pinFolderProto) pins(results []tfprotov6.ListResourceResult) []listedPin {
	p.t.Helper()
	idType := p.identityType("cliq_chat_pin")
	resType := p.schema.ResourceSchemas["cliq_chat_pin"].ValueType()
	var out []listedPin
	for _, r := range results {
		ident := p.attrs(idType, r.Identity.IdentityData)
		lp := listedPin{display: r.DisplayName, folder: p.str(ident["folder_id"]), chat: p.str(ident["chat_id"])}
		if r.Resource != nil {
			if v, err := r.Resource.Unmarshal(resType); err == nil && !v.IsNull() {
				res := p.attrs(resType, r.Resource)
				lp.hasResource = true
				lp.id = p.str(res["id"])
				if !res["pin_above"].IsNull() {
					lp.pinAbove = p.str(res["pin_above"])
				}
				if got := p.str(res["chat_id"]); got != lp.chat {
					p.t.Errorf("result %q: resource chat_id %q, identity chat_id %q", lp.display, got, lp.chat)
				}
				if got := p.str(res["folder_id"]); got != lp.folder {
					p.t.Errorf("result %q: resource folder_id %q, identity folder_id %q", lp.display, got, lp.folder)
				}
			}
		}
		out = append(out, lp)
	}
	return out
}

// identityType is the identity object type of resource typeName.
func (p *pinFolderProto) identityType(typeName string) tftypes.Type {
	p.t.Helper()
	ids, err := p.server.GetResourceIdentitySchemas(p.t.Context(), &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil || pinFolderProtoHasError(ids.Diagnostics) {
		p.t.Fatalf("GetResourceIdentitySchemas: %v %v", err, ids.Diagnostics)
	}
	s, ok := ids.IdentitySchemas[typeName]
	if !ok {
		p.t.Fatalf("%s has no identity schema", typeName)
	}
	return s.ValueType()
}

// wantPins is what the list resource should find on the fake: every chat of every folder, My Pins
// first, in display order, each above the next chat of its folder; only the folders keep accepts.
func wantPins(fake *fakecliq.Server, keep func(fakecliq.Folder) bool) []listedPin {
	var out []listedPin
	for _, f := range fake.Folders() {
		if !keep(f) {
			continue
		}
		where := f.Title
		if f.ID == fakecliq.DefaultFolderID {
			where = "My Pins"
		}
		for i, c := range f.ChatIDs {
			lp := listedPin{display: where + " / Chat " + c, folder: f.ID, chat: c, id: f.ID + "/" + c, hasResource: true}
			if i+1 < len(f.ChatIDs) {
				lp.pinAbove = f.ChatIDs[i+1]
			}
			out = append(out, lp)
		}
	}
	return out
}

func diffPins(t *testing.T, what string, got, want []listedPin) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: listed %d pins, want %d:\n got %v\nwant %v", what, len(got), len(want), got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s: result %d is %+v, want %+v", what, i, got[i], want[i])
		}
	}
}

func hasAttributeError(diags []*tfprotov6.Diagnostic, attr, text string) bool {
	return slices.ContainsFunc(diags, func(d *tfprotov6.Diagnostic) bool {
		return d.Severity == tfprotov6.DiagnosticSeverityError &&
			d.Attribute != nil && d.Attribute.Equal(tftypes.NewAttributePath().WithAttributeName(attr)) &&
			strings.Contains(d.Summary+": "+d.Detail, text)
	})
}

// TestChatPinListResource_protocol: the list resource finds every pin, My Pins first, each folder's
// chats in order, with its identity and the resource as an import would read it (pin_above naming
// the chat below); the filters narrow it; one list read serves it, whatever the number of pins.
func TestChatPinListResource_protocol(t *testing.T) {
	p := newPinFolderProto(t)
	var big []string
	for i := range 40 {
		big = append(big, fmt.Sprint(9500+i))
	}
	a := p.fake.CreateFolderOOB("Alpha", ":razz:", []string{"9101", "9102", "9103"})
	p.fake.CreateFolderOOB("Empty", "", nil)
	c := p.fake.CreateFolderOOB("Gamma", "", append([]string{"9301", "9001"}, big...)) // 9001 is in My Pins as well
	for _, chat := range []string{"9001", "9002"} {
		if err := p.fake.PinChatOOB(chat, fakecliq.DefaultFolderID); err != nil {
			t.Fatal(err)
		}
	}
	all := func(fakecliq.Folder) bool { return true }
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	boolean := func(b bool) tftypes.Value { return tftypes.NewValue(tftypes.Bool, b) }

	lists := p.fake.RequestCount(fakecliq.OpListFolders)
	results, diags := p.listResource("cliq_chat_pin", nil, true, 0)
	if pinFolderProtoHasError(diags) {
		t.Fatalf("list: %s", pinFolderProtoDiags(diags))
	}
	if n := p.fake.RequestCount(fakecliq.OpListFolders) - lists; n != 1 {
		t.Errorf("listing %d pins made %d list_folders requests, want 1", len(results), n)
	}
	got := p.pins(results)
	want := wantPins(p.fake, all)
	if len(want) != 2+3+2+len(big) {
		t.Fatalf("the fake holds %d pins, want %d: the test's setup is wrong", len(want), 2+3+2+len(big))
	}
	diffPins(t, "every pin", got, want)
	// Spelled out once, so that the expectation above is not only the fake's view of itself.
	for i, w := range []listedPin{
		{display: "My Pins / Chat 9001", folder: "default", chat: "9001", id: "default/9001", pinAbove: "9002", hasResource: true},
		{display: "My Pins / Chat 9002", folder: "default", chat: "9002", id: "default/9002", hasResource: true},
		{display: "Alpha / Chat 9101", folder: a, chat: "9101", id: a + "/9101", pinAbove: "9102", hasResource: true},
	} {
		if i < len(got) && got[i] != w {
			t.Errorf("result %d is %+v, want %+v", i, got[i], w)
		}
	}

	for _, tc := range []struct {
		name string
		cfg  map[string]tftypes.Value
		keep func(fakecliq.Folder) bool
	}{
		{"include_my_pins = false", map[string]tftypes.Value{"include_my_pins": boolean(false)}, func(f fakecliq.Folder) bool { return f.ID != fakecliq.DefaultFolderID }},
		{"include_my_pins = true", map[string]tftypes.Value{"include_my_pins": boolean(true)}, all},
		{"folder_id = Gamma", map[string]tftypes.Value{"folder_id": str(c)}, func(f fakecliq.Folder) bool { return f.ID == c }},
		{"folder_id = default", map[string]tftypes.Value{"folder_id": str("default")}, func(f fakecliq.Folder) bool { return f.ID == fakecliq.DefaultFolderID }},
	} {
		results, diags := p.listResource("cliq_chat_pin", tc.cfg, true, 0)
		if pinFolderProtoHasError(diags) {
			t.Errorf("%s: %s", tc.name, pinFolderProtoDiags(diags))
			continue
		}
		diffPins(t, tc.name, p.pins(results), wantPins(p.fake, tc.keep))
	}

	// Identities alone, and a limit.
	results, diags = p.listResource("cliq_chat_pin", nil, false, 4)
	if pinFolderProtoHasError(diags) {
		t.Fatalf("list with limit: %s", pinFolderProtoDiags(diags))
	}
	got = p.pins(results)
	if len(got) != 4 {
		t.Fatalf("limit 4: listed %d pins", len(got))
	}
	for i, lp := range got {
		if lp.hasResource {
			t.Errorf("result %d carries the resource although include_resource is false", i)
		}
		if lp.folder != want[i].folder || lp.chat != want[i].chat {
			t.Errorf("limit 4: result %d is %s/%s, want %s/%s", i, lp.folder, lp.chat, want[i].folder, want[i].chat)
		}
	}

	// A folder that does not exist is an error on folder_id.
	_, diags = p.listResource("cliq_chat_pin", map[string]tftypes.Value{"folder_id": str("4999999999999")}, true, 0)
	if !hasAttributeError(diags, "folder_id", `The Cliq account has no chat folder with id "4999999999999"`) {
		t.Errorf("unknown folder_id: diagnostics %q, want an error on folder_id", pinFolderProtoDiags(diags))
	}
}

// TestChatPinListResource_invalidConfig: every bad list configuration is refused before listing,
// with an error that names the attribute.
func TestChatPinListResource_invalidConfig(t *testing.T) {
	p := newPinFolderProto(t)
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	for _, tc := range []struct {
		name       string
		cfg        map[string]tftypes.Value
		attr, text string
	}{
		{"folder name instead of id", map[string]tftypes.Value{"folder_id": str("My Pins")}, "folder_id",
			`folder_id "My Pins" is not a chat folder id: My Pins is exactly "default".`},
		{"empty folder_id", map[string]tftypes.Value{"folder_id": str("")}, "folder_id", `folder_id "" is empty, so it cannot be a chat folder id`},
		{"pasted URL", map[string]tftypes.Value{"folder_id": str("https://cliq.zoho.com/app/chats")}, "folder_id", `is a URL, not a chat folder id`},
		{"folder_id with include_my_pins", map[string]tftypes.Value{"folder_id": str("default"), "include_my_pins": tftypes.NewValue(tftypes.Bool, false)},
			"include_my_pins", "include_my_pins cannot be set together with folder_id"},
		{"folder_id with include_my_pins = true", map[string]tftypes.Value{"folder_id": str("4000000020001"), "include_my_pins": tftypes.NewValue(tftypes.Bool, true)},
			"include_my_pins", "include_my_pins cannot be set together with folder_id"},
	} {
		diags := p.validateList("cliq_chat_pin", tc.cfg)
		if !hasAttributeError(diags, tc.attr, tc.text) {
			t.Errorf("%s: diagnostics %q, want an error on %s saying %q", tc.name, pinFolderProtoDiags(diags), tc.attr, tc.text)
		}
	}
	for _, ok := range []map[string]tftypes.Value{
		nil,
		{"folder_id": str("default")},
		{"folder_id": str("4000000020001")},
		{"include_my_pins": tftypes.NewValue(tftypes.Bool, false)},
	} {
		if diags := p.validateList("cliq_chat_pin", ok); pinFolderProtoHasError(diags) {
			t.Errorf("valid configuration %v refused: %s", ok, pinFolderProtoDiags(diags))
		}
	}
	if diags := p.validateList("cliq_pin_folder", map[string]tftypes.Value{"include_chat_ids": tftypes.NewValue(tftypes.Bool, true)}); pinFolderProtoHasError(diags) {
		t.Errorf("cliq_pin_folder with include_chat_ids refused: %s", pinFolderProtoDiags(diags))
	}
}
