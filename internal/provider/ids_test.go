package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The chat ids Cliq documents (the glossary's, a thread's, a bot's and a channel's, digits) are
// accepted without a word; what cannot be an id is refused with a message that names the attribute
// and says what to use; an undocumented form only draws a hint.
func TestChatIDProblem(t *testing.T) {
	for _, id := range []string{
		"CT_1847392056173920481_748291635",
		"CT_1207124526552602256_60002085329-T-1291567019566818579",
		"CT_1847392056173920481_55622663-B2",
		"CT_1847392056173920481_P87610291-C4",
		"1488288613043522033",
		"7",
	} {
		if p := chatIDProblem("chat_id", id); p != "" {
			t.Errorf("%q refused: %s", id, p)
		}
		if w := chatIDWarning("chat_id", id); w != "" {
			t.Errorf("%q drew a warning: %s", id, w)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"https://cliq.zoho.com/app/chats/CT_1847392056173920481_748291635", `chat_id "https://cliq.zoho.com/app/chats/CT_1847392056173920481_748291635" is the chat's URL, not its id: use "CT_1847392056173920481_748291635"`},
		{"https://cliq.zoho.eu/app/chats/CT_1207124526552602256_60002085329-T-1291567019566818579?x=1#top", `use "CT_1207124526552602256_60002085329-T-1291567019566818579"`},
		{"https://cliq.zoho.com/network/zylkerclients/app/chats/CT_1847392056173920481_P87610291-C4/", `use "CT_1847392056173920481_P87610291-C4"`},
		{"cliq.zoho.in/app/chats/1488288613043522033", `use "1488288613043522033"`},
		{"https://cliq.zoho.com/app/channels/general", `is a URL, not a chat id, and the URL does not end in one. Open the chat in Cliq`},
		{"", `chat_id "" is empty, so it cannot be a Cliq chat id such as "CT_1847392056173920481_748291635". Open the chat in Cliq in a browser`},
		{"   ", `chat_id "   " is only whitespace`},
		{" CT_1847392056173920481_748291635\n", `chat_id " CT_1847392056173920481_748291635\n" contains whitespace: use "CT_1847392056173920481_748291635"`},
		{"CT_1 2", `contains whitespace, so it cannot be a Cliq chat id`},
		{"CT_1/2", `contains '/', which no Cliq id holds`},
		{"CT_1?2", `contains '?'`},
		{"CT_1#2", `contains '#'`},
		{"CT_1\x002", `contains a control character`},
		{"default", `chat_id is "default", the id of the My Pins folder, not of a chat`},
	} {
		got := chatIDProblem("chat_id", tt.in)
		if !strings.Contains(got, tt.want) {
			t.Errorf("chatIDProblem(%q) = %q, want it to contain %q", tt.in, got, tt.want)
		}
	}
	// A channel's CHANNEL_ID or unique name cannot be told from an undocumented chat id form for
	// sure: a warning, not an error.
	for _, id := range []string{"general-chat", "O1853000000073001", "engineering-updates"} {
		if p := chatIDProblem("chat_ids[0]", id); p != "" {
			t.Errorf("%q refused: %s", id, p)
		}
		if w := chatIDWarning("chat_ids[0]", id); !strings.Contains(w, `chat_ids[0] "`+id+`" is in none of the forms Cliq issues chat ids in`) ||
			!strings.Contains(w, "use the channel's CHAT_ID instead") {
			t.Errorf("chatIDWarning(%q) = %q", id, w)
		}
	}
}

func TestFolderIDProblem(t *testing.T) {
	for _, id := range []string{"4000000020001", "default", "F_1", "１２"} {
		if p := folderIDProblem("folder_id", id, true, ""); p != "" {
			t.Errorf("%q refused: %s", id, p)
		}
	}
	for _, tt := range []struct {
		in           string
		allowDefault bool
		want         string
	}{
		{"default", false, `folder_ids[0] is "default", My Pins, which always comes first`},
		{"Default", true, `folder_ids[0] "Default" is not a chat folder id: My Pins is exactly "default"`},
		{"My Pins", true, `My Pins is exactly "default"`},
		{"my  pins", false, `is not a chat folder id, and My Pins ("default") always comes first`},
		{"", true, `folder_ids[0] "" is empty, so it cannot be a chat folder id such as "4000000020001"`},
		{" 4000000020001", true, `contains whitespace: use "4000000020001"`},
		{"4000/20001", true, `contains '/'`},
		{"https://cliq.zoho.com/app/chats/4000000020001", true, `is a URL, not a chat folder id`},
	} {
		got := folderIDProblem("folder_ids[0]", tt.in, tt.allowDefault, "always comes first and cannot be ordered")
		if !strings.Contains(got, tt.want) {
			t.Errorf("folderIDProblem(%q) = %q, want it to contain %q", tt.in, got, tt.want)
		}
	}
}

// Import ids: <folder_id>/<chat_id> or <chat_id>, with every chat id form; a pasted URL names the
// id to use.
func TestParsePinImportID(t *testing.T) {
	for in, want := range map[string][2]string{
		"CT_1207124526552602256_60002085329-T-1291567019566818579": {"", "CT_1207124526552602256_60002085329-T-1291567019566818579"},
		"default/CT_1847392056173920481_748291635":                 {"default", "CT_1847392056173920481_748291635"},
		" 4000000020001/CT_1847392056173920481_P87610291-C4 ":      {"4000000020001", "CT_1847392056173920481_P87610291-C4"},
		"4000000020001/1488288613043522033":                        {"4000000020001", "1488288613043522033"},
	} {
		folder, chat, err := parsePinImportID(in)
		if err != nil || folder != want[0] || chat != want[1] {
			t.Errorf("parsePinImportID(%q) = %q, %q, %v; want %q", in, folder, chat, err, want)
		}
	}
	for in, want := range map[string]string{
		"https://cliq.zoho.com/app/chats/CT_1847392056173920481_748291635": `is the chat's URL, not its id: use "CT_1847392056173920481_748291635"`,
		"a/b/c":           `has 3 parts`,
		"/CT_1":           `the folder id "" is empty`,
		"default/":        `the chat id "" is empty`,
		"default/CT_1 2":  `the chat id "CT_1 2" contains whitespace`,
		"Default/CT_1":    `My Pins is exactly "default"`,
		"default/default": `the id of the My Pins folder`,
	} {
		_, _, err := parsePinImportID(in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "<folder_id>/<chat_id>") {
			t.Errorf("parsePinImportID(%q) = %v, want an error containing %q and the forms", in, err, want)
		}
	}
}

// The validator puts its error or warning on the attribute, named as the user wrote it.
func TestChatIDValidatorDiagnostics(t *testing.T) {
	at := path.Root("chat_ids").AtListIndex(2)
	check := func(value string) diag.Diagnostics {
		var resp validator.StringResponse
		chatIDValidator{}.ValidateString(context.Background(), validator.StringRequest{Path: at, ConfigValue: types.StringValue(value)}, &resp)
		return resp.Diagnostics
	}
	if d := check("CT_1847392056173920481_P87610291-C4"); len(d) != 0 {
		t.Errorf("a channel's chat id drew %v", d)
	}
	d := check("https://cliq.zoho.com/app/chats/CT_1847392056173920481_P87610291-C4")
	if d.ErrorsCount() != 1 || !strings.Contains(d.Errors()[0].Detail(), `chat_ids[2] "https://`) {
		t.Errorf("a pasted URL drew %v", d)
	}
	if withPath, ok := d.Errors()[0].(diag.DiagnosticWithPath); !ok || !withPath.Path().Equal(at) {
		t.Errorf("the error is not on %s: %v", at, d)
	}
	d = check("engineering-updates")
	if d.ErrorsCount() != 0 || d.WarningsCount() != 1 || !strings.Contains(d.Warnings()[0].Detail(), "CHANNEL_ID") {
		t.Errorf("a channel's unique name drew %v", d)
	}
	var resp validator.StringResponse
	chatIDValidator{}.ValidateString(context.Background(), validator.StringRequest{Path: at, ConfigValue: types.StringUnknown()}, &resp)
	if len(resp.Diagnostics) != 0 {
		t.Errorf("an unknown value drew %v", resp.Diagnostics)
	}
}
