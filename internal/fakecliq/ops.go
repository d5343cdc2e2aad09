package fakecliq

// Op names one of the documented API operations. The strings are shared with
// the client package (see docs/dev/design.md) so that budgets and counts can be
// compared.
type Op string

// The ten documented operations, plus the OAuth token endpoint.
const (
	OpCreateFolder  Op = "create_folder"  // 1. POST /pin-categories
	OpListFolders   Op = "list_folders"   // 2. GET /pin-categories
	OpBulkUnpin     Op = "bulk_unpin"     // 3. DELETE /pin-categories?chat_ids=
	OpModifyFolder  Op = "modify_folder"  // 4. PUT /pin-categories/{id} {title,symbol,state}
	OpDeleteFolder  Op = "delete_folder"  // 5. DELETE /pin-categories/{id}
	OpReorderChat   Op = "reorder_chat"   // 6. PUT /pin-categories/{id} {chat_id,pin_above?,last_sync_time}
	OpReorderFolder Op = "reorder_folder" // 7. PUT /pin-categories/{id} {pin_above?,last_sync_time}
	OpReplaceChats  Op = "replace_chats"  // 8. PUT /pin-categories/{id} {chat_ids,last_sync_time}
	OpPinChat       Op = "pin_chat"       // 9. POST /chats/{chat_id}/pins
	OpUnpinChat     Op = "unpin_chat"     // 10. DELETE /chats/{chat_id}/pins
	OpToken         Op = "token"          // POST /oauth/v2/token (not one of the ten)
	// OpListChats is GET /chats of the Chats module (not one of the ten My Pins operations):
	// see chats.go.
	OpListChats Op = "list_chats"
)

// AllOps returns the ten documented API operations in documentation order
// (OpToken is not included).
func AllOps() []Op {
	return []Op{
		OpCreateFolder, OpListFolders, OpBulkUnpin, OpModifyFolder, OpDeleteFolder,
		OpReorderChat, OpReorderFolder, OpReplaceChats, OpPinChat, OpUnpinChat,
	}
}

// DefaultThreshold returns the documented per-minute threshold of op: 20 for
// create_folder, list_folders, bulk_unpin and delete_folder, 30 for
// list_chats, 50 for the other API operations, and 10 (per ten minutes) for the token endpoint.
func DefaultThreshold(op Op) int {
	switch op {
	case OpCreateFolder, OpListFolders, OpBulkUnpin, OpDeleteFolder:
		return 20
	case OpToken:
		return tokenRefreshLimit
	case OpListChats:
		return 30
	default:
		return 50
	}
}

// valid reports whether op is one of the ten API operations.
func (op Op) valid() bool {
	for _, o := range AllOps() {
		if o == op {
			return true
		}
	}
	return false
}

// operationID is the vendor OpenAPI operationId of op ("" for OpToken).
func (op Op) operationID() string {
	switch op {
	case OpCreateFolder:
		return "createPinCategory"
	case OpListFolders:
		return "getPinCategories"
	case OpBulkUnpin:
		return "removeChatsAcrossCategories"
	case OpModifyFolder:
		return "updatePinCategory"
	case OpDeleteFolder:
		return "deletePinCategory"
	case OpReorderChat:
		return "reorderChatInCategory"
	case OpReorderFolder:
		return "reorderCategory"
	case OpReplaceChats:
		return "bulkUpdateChatsInCategory"
	case OpPinChat:
		return "pinChat"
	case OpUnpinChat:
		return "unpinChat"
	}
	return ""
}
