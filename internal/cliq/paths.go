package cliq

import (
	"net/url"
	"strings"
)

// Request paths and queries that carry ids. Ids are opaque to the client: Cliq issues chat ids in
// several forms (CT_…, threads CT_…-T-…, bots …-B2, channels …-C4, digits), so each id is escaped
// as one path segment or query value, whatever characters it holds.

// foldersPath is the path of the folder list (operations 1, 2 and 3).
const foldersPath = "/pin-categories"

// folderPath is the path of one chat folder (operations 4 to 8).
func folderPath(folderID string) string { return foldersPath + "/" + url.PathEscape(folderID) }

// chatPinsPath is the path of one chat's pins (operations 9 and 10).
func chatPinsPath(chatID string) string { return "/chats/" + url.PathEscape(chatID) + "/pins" }

// bulkUnpinQuery is the query of operation 3: chat_ids, comma-separated, each id escaped.
func bulkUnpinQuery(chatIDs []string) string {
	escaped := make([]string, len(chatIDs))
	for i, id := range chatIDs {
		escaped[i] = url.QueryEscape(id)
	}
	return "chat_ids=" + strings.Join(escaped, ",")
}
