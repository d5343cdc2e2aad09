package cliq

import "time"

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
	// OpListChats is GET /chats of Cliq's Chats module (chats.go): not a My Pins operation, but
	// under the same ZohoCliq.Chats.READ scope, and budgeted like the others.
	OpListChats Operation = "list_chats"
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
	OpListChats:     {"GET /chats", 30, "GET"},
}

// myPinsLockPeriod is the lock period the My Pins operations document: Config.LockPeriod stands
// for it (tests scale it down).
const myPinsLockPeriod = 5 * time.Minute

// longerLocks are the documented lock periods of the classes that do not lock for
// myPinsLockPeriod. The Chats module locks for ten minutes.
var longerLocks = map[budgetClass]time.Duration{
	"GET /chats": 10 * time.Minute,
}

// classLock is how long a throttled answer locks class, given the configured LockPeriod (the
// My Pins lock): the documented lock, scaled as the configuration scales the My Pins one.
func classLock(class budgetClass, lockPeriod time.Duration) time.Duration {
	documented, ok := longerLocks[class]
	if !ok {
		return lockPeriod
	}
	return time.Duration(float64(lockPeriod) * float64(documented) / float64(myPinsLockPeriod))
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
