package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cliq-tf/terraform-provider-cliq/internal/cliq"
	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// Chats of the import harness, in the forms Cliq issues chat ids: importChatF is pinned in folder F
// only, importChatBoth in F and My Pins, importChatMyPins in My Pins only.
const (
	importChatF      = "CT_1847392056173920481_748291635"
	importChatBoth   = "CT_1207124526552602256_60002085329-T-1291567019566818579"
	importChatMyPins = "CT_1847392056173920481_P87610291-C4"
)

// importHarness is the provider server, configured against a fake account holding folder F
// (importChatF and importChatBoth) and My Pins (importChatBoth and importChatMyPins), for imports at
// the protocol level.
type importHarness struct {
	server tfprotov6.ProviderServer
	types  map[string]tftypes.Type // resource type -> state type
	folder string
}

func newImportHarness(tb testing.TB) *importHarness {
	tb.Helper()
	ctx := context.Background()
	fake, srv := fakecliq.NewTestServer(tb, fakecliq.Options{DisableRateLimits: true})
	folder := fake.CreateFolderOOB("F", "", []string{importChatF, importChatBoth})
	for _, chat := range []string{importChatBoth, importChatMyPins} {
		if err := fake.PinChatOOB(chat, fakecliq.DefaultFolderID); err != nil {
			tb.Fatal(err)
		}
	}
	stateDir := tb.TempDir()
	testConfigHooks.Store(srv.URL, func(c *cliq.Config) {
		c.RetryBaseDelay = time.Millisecond
		c.RateStateDir = stateDir
	})
	tb.Cleanup(func() { testConfigHooks.Delete(srv.URL) })
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		tb.Fatal(err)
	}
	schema, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || importHasError(schema.Diagnostics) {
		tb.Fatalf("GetProviderSchema: %v %v", err, schema.Diagnostics)
	}
	h := &importHarness{server: server, types: map[string]tftypes.Type{}, folder: folder}
	for name, s := range schema.ResourceSchemas {
		h.types[name] = s.ValueType()
	}
	providerType := schema.Provider.ValueType()
	cfg := map[string]tftypes.Value{}
	for name, typ := range providerType.(tftypes.Object).AttributeTypes {
		cfg[name] = tftypes.NewValue(typ, nil)
	}
	cfg["api_url"] = tftypes.NewValue(tftypes.String, srv.URL)
	cfg["access_token"] = tftypes.NewValue(tftypes.String, fake.AccessToken())
	dv, err := tfprotov6.NewDynamicValue(providerType, tftypes.NewValue(providerType, cfg))
	if err != nil {
		tb.Fatal(err)
	}
	conf, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.14.0", Config: &dv})
	if err != nil || importHasError(conf.Diagnostics) {
		tb.Fatalf("ConfigureProvider: %v %v", err, conf.Diagnostics)
	}
	return h
}

// importID imports id as typeName; it returns the imported id attribute, or the error diagnostics.
func (h *importHarness) importID(t *testing.T, typeName, id string) (string, []*tfprotov6.Diagnostic) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	resp, err := h.server.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: typeName, ID: id})
	if err != nil {
		t.Fatalf("ImportResourceState(%s, %q): %v", typeName, id, err)
	}
	var errs []*tfprotov6.Diagnostic
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			errs = append(errs, d)
		}
	}
	if len(errs) > 0 {
		return "", errs
	}
	if len(resp.ImportedResources) != 1 {
		t.Fatalf("import %s %q: %d resources and no error", typeName, id, len(resp.ImportedResources))
	}
	v, err := resp.ImportedResources[0].State.Unmarshal(h.types[typeName])
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]tftypes.Value{}
	if err := v.As(&attrs); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := attrs["id"].As(&got); err != nil {
		t.Fatal(err)
	}
	return got, nil
}

func importHasError(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func importDiags(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary + ": " + d.Detail + "\n")
	}
	return b.String()
}

// explained fails t unless every error diagnostic says what went wrong and, when the id is not
// empty, quotes the id it is about (want, as the error should show it).
func explained(t *testing.T, typeName, id, want string, errs []*tfprotov6.Diagnostic) {
	t.Helper()
	for _, d := range errs {
		if strings.TrimSpace(d.Summary) == "" || strings.TrimSpace(d.Detail) == "" {
			t.Fatalf("import %s %q: an error without summary or detail: %+v", typeName, id, d)
		}
	}
	if want == "" {
		return
	}
	for _, d := range errs {
		if strings.Contains(d.Detail, want) {
			return
		}
	}
	t.Fatalf("import %s %q: no error names %s: %s", typeName, id, want, importDiags(errs))
}

// FuzzImportIDs imports arbitrary ids into each resource through the provider server, against a
// fake account. Invariants: no panic; an id is accepted exactly when it names what it should (a
// chat folder that exists; "folders"; <folder_id>/<chat_id> or a chat pinned in one place), with
// the id in the state; every rejected id gets an error that quotes it and says what was expected.
func FuzzImportIDs(f *testing.F) {
	h := newImportHarness(f)
	for _, id := range []string{h.folder, "4000000029999", "default", "folders", "Folders", "", " ", "11", "14",
		importChatF, importChatBoth, importChatMyPins, "CT_1847392056173920481_55622663-B2",
		"default/" + importChatMyPins, h.folder + "/" + importChatF, h.folder + "/", "/" + importChatF, "a/b/c", " default/" + importChatMyPins + " ",
		"default/CT_1 3", "4000000020001\n", "１２", "default/-1", "Default/" + importChatMyPins, "default/default",
		"https://cliq.zoho.com/app/chats/" + importChatF, "cliq.zoho.eu/app/chats/" + importChatMyPins, "https://cliq.zoho.com/app/pin-categories/" + h.folder,
		"CT_1?2", "CT_1#2", "CT_1%2F2", "default/CT_1\x00"} {
		f.Add(uint8(0), id)
		f.Add(uint8(1), id)
		f.Add(uint8(2), id)
	}
	f.Fuzz(func(t *testing.T, which uint8, id string) {
		switch which % 3 {
		case 0:
			got, errs := h.importID(t, "cliq_pin_folder", id)
			valid := id == h.folder
			switch {
			case valid && errs != nil:
				t.Fatalf("folder %q was not imported: %s", id, importDiags(errs))
			case !valid && errs == nil:
				t.Fatalf("folder import %q accepted (id %q)", id, got)
			case errs == nil && got != id:
				t.Fatalf("folder import %q gave id %q", id, got)
			case errs != nil:
				want := fmt.Sprintf("%q", id)
				if id == "" || id == cliq.DefaultFolderID {
					want = ""
				}
				explained(t, "cliq_pin_folder", id, want, errs)
			}
		case 1:
			got, errs := h.importID(t, "cliq_pin_folder_order", id)
			switch {
			case id == pinFolderOrderID && (errs != nil || got != id):
				t.Fatalf("folder order import %q: id %q, %s", id, got, importDiags(errs))
			case id != pinFolderOrderID && errs == nil:
				t.Fatalf("folder order import %q accepted", id)
			case errs != nil:
				want := fmt.Sprintf("%q", id)
				if id == "" {
					want = ""
				}
				explained(t, "cliq_pin_folder_order", id, want, errs)
			}
		default:
			got, errs := h.importID(t, "cliq_chat_pin", id)
			folderID, chatID, perr := parsePinImportID(id)
			if perr == nil && folderID == "" {
				switch chatID {
				case importChatF:
					folderID = h.folder
				case importChatMyPins:
					folderID = cliq.DefaultFolderID
				default:
					perr = fmt.Errorf("not pinned in exactly one place")
				}
			}
			switch {
			case perr == nil && errs != nil:
				t.Fatalf("pin import %q was refused: %s", id, importDiags(errs))
			case perr == nil && got != pinID(folderID, chatID):
				t.Fatalf("pin import %q gave id %q, want %q", id, got, pinID(folderID, chatID))
			case perr != nil && errs == nil:
				t.Fatalf("pin import %q accepted (id %q)", id, got)
			case errs != nil:
				want := ""
				if trimmed := strings.TrimSpace(id); trimmed != "" {
					want = fmt.Sprintf("%q", trimmed)
				}
				explained(t, "cliq_chat_pin", id, want, errs)
			}
		}
	})
}
