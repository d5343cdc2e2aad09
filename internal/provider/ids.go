package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/cliq-tf/terraform-provider-cliq/internal/cliq"
)

// The ids of chats and chat folders, checked in one place for every attribute, import id and identity
// that holds one.
//
// Cliq issues chat ids in several forms (shared/cliq-api.md, "From the vendor's wider documents"):
// "CT_1847392056173920481_748291635", threads "CT_…_60002085329-T-1291567019566818579", bot and
// channel chats "CT_…_55622663-B2" and "CT_…_P87610291-C4", and plain digits. The provider treats
// an id as opaque: it refuses only what cannot be an id at all (empty, whitespace or control
// characters, and "/", "?" or "#", which would change the request's URL), and says what to use
// instead. A value in none of the documented forms is let through with a warning, since it may be a
// channel's CHANNEL_ID or unique name rather than its CHAT_ID.

// Example ids, in the forms Cliq issues them.
const (
	exampleChatID   = "CT_1847392056173920481_748291635"
	exampleFolderID = "4000000020001"
)

// chatURLHelp says where a chat id comes from.
const chatURLHelp = "Open the chat in Cliq in a browser and copy the last part of its URL: in " +
	"https://cliq.zoho.com/app/chats/" + exampleChatID + " the chat id is " + exampleChatID + ". " +
	"For a channel, use its CHAT_ID (that part of the URL), not its CHANNEL_ID. " +
	"The cliq_chats data source finds a chat by its name; the cliq_pin_folders data source and `terraform query` with the cliq_chat_pin list resource show the ids of pinned chats."

// documentedChatID matches the forms the vendor documents for chat ids: CT_… and plain digits.
var documentedChatID = regexp.MustCompile(`^(CT_[0-9A-Za-z_-]+|[0-9]+)$`)

// idFault says why s cannot be an id, or returns "" when it can be one.
func idFault(s string) string {
	if s == "" {
		return "is empty"
	}
	if strings.TrimSpace(s) == "" {
		return "is only whitespace"
	}
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			return "contains whitespace"
		case unicode.IsControl(r) || r == unicode.ReplacementChar:
			return "contains a control character"
		case r == '/' || r == '?' || r == '#':
			return fmt.Sprintf("contains %q, which no Cliq id holds", r)
		}
	}
	return ""
}

// looksLikeURL reports whether s was pasted from a browser's address bar.
func looksLikeURL(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Contains(s, "://") || strings.HasPrefix(s, "cliq.zoho.") || strings.HasPrefix(s, "cliq.zohocloud.")
}

// idInURL returns the last path segment of a pasted URL (query and fragment dropped), decoded, or "".
func idInURL(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	segments := strings.Split(strings.TrimRight(u.Path, "/"), "/")
	last := segments[len(segments)-1]
	if idFault(last) != "" {
		return ""
	}
	return last
}

// chatIDProblem says why s cannot be a chat id ("" when it can be one), with what to do instead.
// name is how the message names the value, such as "chat_id" or "chat_ids[2]".
func chatIDProblem(name, s string) string {
	if looksLikeURL(s) {
		if id := idInURL(s); id != "" && documentedChatID.MatchString(id) {
			return fmt.Sprintf("%s %q is the chat's URL, not its id: use %q, the last part of the URL.", name, s, id)
		}
		return fmt.Sprintf("%s %q is a URL, not a chat id, and the URL does not end in one. %s", name, s, chatURLHelp)
	}
	fault := idFault(s)
	if fault == "" {
		if s == cliq.DefaultFolderID {
			return fmt.Sprintf("%s is %q, the id of the My Pins folder, not of a chat. %s", name, s, chatURLHelp)
		}
		return ""
	}
	if t := strings.TrimSpace(s); t != s && idFault(t) == "" {
		return fmt.Sprintf("%s %q %s: use %q.", name, s, fault, t)
	}
	return fmt.Sprintf("%s %q %s, so it cannot be a Cliq chat id such as %q. %s", name, s, fault, exampleChatID, chatURLHelp)
}

// chatIDWarning is a hint for a chat id in none of the documented forms ("" for one in them).
func chatIDWarning(name, s string) string {
	if documentedChatID.MatchString(s) {
		return ""
	}
	return fmt.Sprintf("%s %q is in none of the forms Cliq issues chat ids in (such as %q, or digits). "+
		"If it is a channel's CHANNEL_ID or unique name, use the channel's CHAT_ID instead: %s", name, s, exampleChatID, chatURLHelp)
}

// folderIDProblem says why s cannot be a chat folder id ("" when it can be one). allowDefault says
// whether "default" (My Pins) is accepted; whyNot says why not when it is not.
func folderIDProblem(name, s string, allowDefault bool, whyNot string) string {
	const where = "(a cliq_pin_folder's id, or an id the cliq_pin_folders data source lists)"
	switch {
	case looksLikeURL(s):
		return fmt.Sprintf("%s %q is a URL, not a chat folder id: use the folder's category_id, such as %q %s.", name, s, exampleFolderID, where)
	case s != cliq.DefaultFolderID && (strings.EqualFold(strings.TrimSpace(s), cliq.DefaultFolderID) ||
		strings.EqualFold(strings.Join(strings.Fields(s), " "), "my pins")):
		if allowDefault {
			return fmt.Sprintf("%s %q is not a chat folder id: My Pins is exactly %q.", name, s, cliq.DefaultFolderID)
		}
		return fmt.Sprintf("%s %q is not a chat folder id, and My Pins (%q) %s.", name, s, cliq.DefaultFolderID, whyNot)
	case s == cliq.DefaultFolderID && !allowDefault:
		return fmt.Sprintf("%s is %q, My Pins, which %s.", name, s, whyNot)
	}
	if fault := idFault(s); fault != "" {
		if t := strings.TrimSpace(s); t != s && idFault(t) == "" {
			return fmt.Sprintf("%s %q %s: use %q.", name, s, fault, t)
		}
		return fmt.Sprintf("%s %q %s, so it cannot be a chat folder id such as %q %s.", name, s, fault, exampleFolderID, where)
	}
	return ""
}

// chatIDValidator checks a chat id at plan time.
type chatIDValidator struct{}

func (chatIDValidator) Description(context.Context) string {
	return "must be a Cliq chat id, such as " + exampleChatID
}

func (v chatIDValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (chatIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	name, s := req.Path.String(), req.ConfigValue.ValueString()
	if p := chatIDProblem(name, s); p != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid chat id", p)
		return
	}
	if w := chatIDWarning(name, s); w != "" {
		resp.Diagnostics.AddAttributeWarning(req.Path, "Unusual chat id", w)
	}
}

// folderIDValidator checks a chat folder id at plan time.
type folderIDValidator struct {
	allowDefault bool
	whyNot       string // why "default" is refused, when it is
}

func (v folderIDValidator) Description(context.Context) string {
	if v.allowDefault {
		return `must be "default" (My Pins) or a chat folder id, such as ` + exampleFolderID
	}
	return "must be a chat folder id, such as " + exampleFolderID
}

func (v folderIDValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v folderIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if p := folderIDProblem(req.Path.String(), req.ConfigValue.ValueString(), v.allowDefault, v.whyNot); p != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid chat folder id", p)
	}
}
