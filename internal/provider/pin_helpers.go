package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cliq-tf/terraform-provider-cliq/internal/cliq"
)

// Helpers of cliq_chat_pin and the cliq_pin_folders data source.

func pinChatIDValidator() validator.String { return chatIDValidator{} }

func pinFolderIDValidator() validator.String { return folderIDValidator{allowDefault: true} }

// pinID is the id of a cliq_chat_pin: <folder_id>/<chat_id>.
func pinID(folderID, chatID string) string { return folderID + "/" + chatID }

// addPinError turns an error of the client into a diagnostic that says what to do, on the
// attribute the error is about when there is one.
func addPinError(diags *diag.Diagnostics, summary, folderID, chatID string, err error) {
	var apiErr *cliq.APIError
	switch {
	case errors.Is(err, cliq.ErrFolderNotFound):
		diags.AddAttributeError(path.Root("folder_id"), summary,
			fmt.Sprintf("The chat folder %q does not exist (any more): create it, for example with a cliq_pin_folder resource, "+
				"or set folder_id to \"default\" to pin into My Pins.\n\n%v", folderID, err))
	case errors.As(err, &apiErr) && apiErr.Code == cliq.CodeMaxPins:
		diags.AddAttributeError(path.Root("folder_id"), summary,
			fmt.Sprintf("Folder %q is full. %v", folderID, err))
	case errors.As(err, &apiErr) && (apiErr.Code == cliq.CodeChatAccessDenied || apiErr.Code == cliq.CodeOperationNotAllowed):
		diags.AddAttributeError(path.Root("chat_id"), summary,
			fmt.Sprintf("Cliq refused this for chat %q. %v", chatID, err))
	default:
		diags.AddError(summary, err.Error())
	}
}

// chatBelow returns the chat directly below chatID in ids, or "" when it is last or absent.
func chatBelow(ids []string, chatID string) string {
	for i, id := range ids {
		if id == chatID && i+1 < len(ids) {
			return ids[i+1]
		}
	}
	return ""
}

// foldersHolding lists the ids of the folders that hold chatID.
func foldersHolding(folders []cliq.Folder, chatID string) []string {
	var ids []string
	for _, f := range folders {
		if f.HasChat(chatID) {
			ids = append(ids, f.ID)
		}
	}
	return ids
}

// parsePinImportID splits "<folder_id>/<chat_id>" or "<chat_id>"; folderID is "" in the second form.
func parsePinImportID(id string) (folderID, chatID string, err error) {
	id = strings.TrimSpace(id)
	const forms = "The import id is <folder_id>/<chat_id>, such as \"" + exampleFolderID + "/" + exampleChatID + "\" " +
		"(\"default/" + exampleChatID + "\" for My Pins), or the chat id alone when the chat is pinned in one folder only."
	if looksLikeURL(id) {
		if p := chatIDProblem("the import id", id); p != "" {
			return "", "", fmt.Errorf("%s %s", p, forms)
		}
	}
	parts := strings.Split(id, "/")
	if len(parts) > 2 {
		return "", "", fmt.Errorf("the import id %q has %d parts separated by \"/\". %s", id, len(parts), forms)
	}
	if len(parts) == 2 {
		folderID = parts[0]
		if p := folderIDProblem("the folder id", folderID, true, ""); p != "" {
			return "", "", fmt.Errorf("in the import id %q, %s %s", id, p, forms)
		}
	}
	chatID = parts[len(parts)-1]
	if p := chatIDProblem("the chat id", chatID); p != "" {
		return "", "", fmt.Errorf("in the import id %q, %s %s", id, p, forms)
	}
	return folderID, chatID, nil
}

// setStringIdentity sets a resource identity whose attributes are all strings. It builds the value
// directly instead of through the framework's reflection (which a refresh of many resources pays
// once per resource), and leaves identity alone when it already holds that value.
func setStringIdentity(identity *tfsdk.ResourceIdentity, attrs map[string]string) {
	if identity == nil {
		return
	}
	attrTypes := make(map[string]tftypes.Type, len(attrs))
	values := make(map[string]tftypes.Value, len(attrs))
	for name, v := range attrs {
		attrTypes[name] = tftypes.String
		values[name] = tftypes.NewValue(tftypes.String, v)
	}
	want := tftypes.NewValue(tftypes.Object{AttributeTypes: attrTypes}, values)
	if !identity.Raw.Equal(want) {
		identity.Raw = want
	}
}
