package cliq

// Operation names one of the ten documented My Pins operations. The fake server uses the same
// strings, so budgets and request counts can be compared in tests and benchmarks.
type Operation string

const (
	OpCreateFolder  Operation = "create_folder"
	OpListFolders   Operation = "list_folders"
	OpBulkUnpin     Operation = "bulk_unpin"
	OpModifyFolder  Operation = "modify_folder"
	OpDeleteFolder  Operation = "delete_folder"
	OpReorderChat   Operation = "reorder_chat"
	OpReorderFolder Operation = "reorder_folder"
	OpReplaceChats  Operation = "replace_chats"
	OpPinChat       Operation = "pin_chat"
	OpUnpinChat     Operation = "unpin_chat"
)

// budgetClass groups operations that the client budgets together. The vendor documents a
// threshold per operation, but operations 4, 6, 7 and 8 share one method and URL: budgeting them as
// one class is correct whether the vendor counts per operation or per endpoint.
type budgetClass string

type operationSpec struct {
	class     budgetClass
	threshold int // documented requests per minute
	method    string
}

var operations = map[Operation]operationSpec{
	OpCreateFolder:  {"POST /pin-categories", 20, "POST"},
	OpListFolders:   {"GET /pin-categories", 20, "GET"},
	OpBulkUnpin:     {"DELETE /pin-categories", 20, "DELETE"},
	OpModifyFolder:  {"PUT /pin-categories/{id}", 50, "PUT"},
	OpReorderChat:   {"PUT /pin-categories/{id}", 50, "PUT"},
	OpReorderFolder: {"PUT /pin-categories/{id}", 50, "PUT"},
	OpReplaceChats:  {"PUT /pin-categories/{id}", 50, "PUT"},
	OpDeleteFolder:  {"DELETE /pin-categories/{id}", 20, "DELETE"},
	OpPinChat:       {"POST /chats/{id}/pins", 50, "POST"},
	OpUnpinChat:     {"DELETE /chats/{id}/pins", 50, "DELETE"},
}

// Threshold is the documented number of requests a minute for op.
func Threshold(op Operation) int { return operations[op].threshold }

// classThresholds is the budget of each class: the smallest documented threshold among its operations.
func classThresholds() map[budgetClass]int {
	out := map[budgetClass]int{}
	for _, spec := range operations {
		if t, ok := out[spec.class]; !ok || spec.threshold < t {
			out[spec.class] = spec.threshold
		}
	}
	return out
}
