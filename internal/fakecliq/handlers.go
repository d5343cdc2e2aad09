package fakecliq

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Documented field limits.
const (
	maxTitleLen       = 255
	maxSymbolLen      = 50
	maxChatIDsPerCall = 100 // create and replace_chats
	maxBulkUnpin      = 25  // DELETE /pin-categories?chat_ids=
)

const pinCategoriesURL = "/v3/pin-categories"

// Messages of the documented error codes.
const (
	msgNotSynced     = "The provided last_sync_time is stale - re-fetch categories and retry."
	msgInvalidInputs = "title, symbol, state, or chat_id was sent alongside chat_ids."
	msgMaxFolders    = "Maximum number of categories reached."
	msgMaxPins       = "The user has reached the maximum number of pinned chats in the category."
	msgNotAllowed    = "User does not have permission for a chat in the given chat list."
	msgPinForbidden  = "Caller does not have permission to pin this chat."
	msgAccessDenied  = "Caller is not a participant of this chat."
	msgDefaultDelete = "Cannot delete the default category."
	msgDefaultChange = "The default category cannot be modified or reordered."
)

// parseObject decodes a JSON object body into its keys. Keys whose value is
// null are dropped: an explicit null reads as an absent field. An empty body
// is an empty object.
func parseObject(body []byte) (map[string]json.RawMessage, bool) {
	fields := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(body)) == 0 {
		return fields, true
	}
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return nil, false
	}
	for k, v := range fields {
		if string(v) == "null" {
			delete(fields, k)
		}
	}
	return fields, true
}

// classifyPut decides which of operations 4, 6, 7 and 8 a PUT body asks for,
// by its keys (cliq-api.md: "the server tells them apart by the body's
// keys"). A body that is not a JSON object, or names no operation, counts as
// modify_folder (the generic "update" operation) and fails.
func classifyPut(req *apiRequest) Op {
	fields, ok := parseObject(req.body)
	if !ok || req.tooLarge {
		req.badJSON = true
		return OpModifyFolder
	}
	req.fields = fields
	has := func(k string) bool { _, ok := fields[k]; return ok }
	switch {
	case has("chat_ids"):
		return OpReplaceChats
	case has("chat_id"):
		return OpReorderChat
	case has("title") || has("symbol") || has("state"):
		return OpModifyFolder
	case has("pin_above") || has("last_sync_time"):
		return OpReorderFolder
	default:
		return OpModifyFolder
	}
}

// execute runs an admitted request against the state. The caller holds s.mu.
func (s *Server) execute(req *apiRequest) *apiResponse {
	if req.tooLarge {
		return badRequest("operation_failed", "The request body is too large.")
	}
	now := s.now()
	switch req.op {
	case OpListFolders:
		return s.listFolders(req)
	case OpCreateFolder:
		return s.createFolder(req, now)
	case OpBulkUnpin:
		return s.bulkUnpin(req, now)
	case OpDeleteFolder:
		return s.deleteFolder(req, now)
	case OpModifyFolder, OpReorderChat, OpReorderFolder, OpReplaceChats:
		return s.updateFolder(req, now)
	case OpPinChat:
		return s.pinChat(req, now)
	case OpUnpinChat:
		return s.unpinChat(req, now)
	}
	return errorResponse(http.StatusInternalServerError, "", msgServerError)
}

// ---- 2. Retrieve chat folders ----

type chatJSON struct {
	ChatID            string           `json:"chat_id"`
	ChatType          string           `json:"chat_type"`
	Name              string           `json:"name"`
	ParticipantCount  int              `json:"participant_count"`
	RecipientsSummary []recipientJSON  `json:"recipients_summary,omitempty"`
	LastMessageInfo   *lastMessageJSON `json:"last_message_info,omitempty"`
	IsPinned          bool             `json:"is_pinned"`
}

type recipientJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type lastMessageJSON struct {
	ID      string        `json:"id"`
	Type    string        `json:"type"`
	Time    string        `json:"time"`
	Content messageText   `json:"content"`
	Sender  recipientJSON `json:"sender"`
}

type messageText struct {
	Text string `json:"text"`
}

type folderJSON struct {
	CategoryID string      `json:"category_id"`
	State      *string     `json:"state,omitempty"`
	Symbol     *string     `json:"symbol,omitempty"`
	Title      *string     `json:"title,omitempty"`
	Chats      *[]chatJSON `json:"chats,omitempty"`
}

type envelope struct {
	URL  string `json:"url"`
	Type string `json:"type"`
	Data any    `json:"data"`
}

// folderBody renders a folder; the default folder carries only its id.
func (s *Server) folderBody(f *folder) folderJSON {
	out := folderJSON{CategoryID: f.id}
	if f.isDefault() {
		return out
	}
	out.State, out.Title = ptr(f.state), ptr(f.title)
	if f.symbol != "" || !s.opts.OmitEmptySymbol {
		out.Symbol = ptr(f.symbol)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func (s *Server) listFolders(req *apiRequest) *apiResponse {
	include := map[string]bool{}
	for _, v := range req.query["include_fields"] {
		for _, f := range strings.Split(v, ",") {
			include[strings.TrimSpace(f)] = true
		}
	}
	withChats := include["chats"]
	data := make([]folderJSON, 0, len(s.st.folders))
	for _, f := range s.st.folders {
		fj := s.folderBody(f)
		if withChats && (len(f.chats) > 0 || !s.st.reading.EmptyFolderOmitsChats) {
			chats := make([]chatJSON, 0, len(f.chats))
			for _, id := range f.chats {
				chats = append(chats, s.chatBody(id, include["recipients_summary"], include["last_message_info"]))
			}
			fj.Chats = &chats
		}
		data = append(data, fj)
	}
	return jsonResponse(http.StatusOK, envelope{URL: pinCategoriesURL, Type: "pin_categories", Data: data})
}

// chatBody renders a pinned chat with invented, deterministic extras.
func (s *Server) chatBody(id string, recipients, lastMessage bool) chatJSON {
	c := s.st.chat(id)
	out := chatJSON{ChatID: id, ChatType: c.ChatType, Name: c.Name, ParticipantCount: c.ParticipantCount, IsPinned: true}
	h := chatHash(id)
	if recipients {
		n := min(c.ParticipantCount, 3)
		out.RecipientsSummary = make([]recipientJSON, 0, n)
		for i := range n {
			uid := strconv.FormatUint(uint64(60000000+h%1000000)*10+uint64(i), 10)
			out.RecipientsSummary = append(out.RecipientsSummary, recipientJSON{ID: uid, Name: "User " + uid})
		}
	}
	if lastMessage {
		sender := strconv.FormatUint(uint64(60000000+h%1000000)*10, 10)
		t := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(h%(365*24*60)) * time.Minute)
		out.LastMessageInfo = &lastMessageJSON{
			ID:      fmt.Sprintf("%d_%d", t.UnixMilli(), h),
			Type:    "text",
			Time:    t.Format(time.RFC3339),
			Content: messageText{Text: "Last message in " + c.Name},
			Sender:  recipientJSON{ID: sender, Name: "User " + sender},
		}
	}
	return out
}

// ---- field helpers ----

// stringField decodes an optional string field; present=false when absent.
func stringField(fields map[string]json.RawMessage, key string) (v string, present bool, err *apiResponse) {
	raw, ok := fields[key]
	if !ok {
		return "", false, nil
	}
	if json.Unmarshal(raw, &v) != nil {
		return "", true, badRequest("operation_failed", key+" must be a string.")
	}
	return v, true, nil
}

// chatIDsField decodes a chat_ids array: at most 100 distinct digit strings.
func chatIDsField(raw json.RawMessage) ([]string, *apiResponse) {
	var ids []string
	if json.Unmarshal(raw, &ids) != nil {
		return nil, badRequest("operation_failed", "chat_ids must be an array of strings.")
	}
	if len(ids) > maxChatIDsPerCall {
		return nil, badRequest("operation_failed", fmt.Sprintf("chat_ids can hold at most %d chat ids.", maxChatIDsPerCall))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !isChatID(id) {
			return nil, badRequest("operation_failed", fmt.Sprintf("Invalid chat id %q.", id))
		}
		if seen[id] {
			return nil, badRequest("operation_failed", fmt.Sprintf("Duplicate chat id %q.", id))
		}
		seen[id] = true
	}
	if ids == nil {
		ids = []string{}
	}
	return ids, nil
}

func checkTitle(title string) *apiResponse {
	if utf8.RuneCountInString(title) > maxTitleLen {
		return badRequest("operation_failed", fmt.Sprintf("title can be at most %d characters long.", maxTitleLen))
	}
	return nil
}

func checkSymbol(symbol string) *apiResponse {
	if utf8.RuneCountInString(symbol) > maxSymbolLen {
		return badRequest("operation_failed", fmt.Sprintf("symbol can be at most %d characters long.", maxSymbolLen))
	}
	return nil
}

// checkChatsAllowed answers operation_not_allowed when a chat (not already in
// `already`) is denied or forbidden to the caller.
func (s *Server) checkChatsAllowed(ids []string, already *folder) *apiResponse {
	for _, id := range ids {
		if already != nil && already.has(id) {
			continue
		}
		if s.st.denied[id] || s.st.forbidden[id] {
			return badRequest("operation_not_allowed", msgNotAllowed)
		}
	}
	return nil
}

// ---- 1. Create a chat folder ----

func (s *Server) createFolder(req *apiRequest, now time.Time) *apiResponse {
	fields, ok := parseObject(req.body)
	if !ok {
		return badRequest("operation_failed", "The request body must be a JSON object.")
	}
	title, present, errResp := stringField(fields, "title")
	if errResp != nil {
		return errResp
	}
	if !present || title == "" {
		return badRequest("param_missing", "title is required.")
	}
	if errResp := checkTitle(title); errResp != nil {
		return errResp
	}
	symbol, _, errResp := stringField(fields, "symbol")
	if errResp != nil {
		return errResp
	}
	if errResp := checkSymbol(symbol); errResp != nil {
		return errResp
	}
	ids := []string{}
	if raw, ok := fields["chat_ids"]; ok {
		if ids, errResp = chatIDsField(raw); errResp != nil {
			return errResp
		}
	}
	if s.st.userFolderCount() >= s.opts.MaxFolders {
		return badRequest("max_folders_error", msgMaxFolders)
	}
	if errResp := s.checkChatsAllowed(ids, nil); errResp != nil {
		return errResp
	}
	if len(ids) > s.opts.MaxPinsPerFolder {
		return badRequest("max_pins_error", msgMaxPins)
	}
	f := s.st.createFolder(title, symbol, ids, now)
	data := folderJSON{CategoryID: f.id, State: ptr(f.state), Symbol: ptr(f.symbol), Title: ptr(f.title)}
	return jsonResponse(http.StatusOK, envelope{URL: pinCategoriesURL, Type: "pin_categories", Data: data})
}

// ---- 3. Remove pinned chats across folders ----

func (s *Server) bulkUnpin(req *apiRequest, now time.Time) *apiResponse {
	raw := strings.TrimSpace(req.query.Get("chat_ids"))
	if raw == "" {
		return badRequest("operation_failed", "chat_ids is required.")
	}
	ids := strings.Split(raw, ",")
	if len(ids) > maxBulkUnpin {
		return badRequest("operation_failed", fmt.Sprintf("At most %d chat ids can be unpinned at once.", maxBulkUnpin))
	}
	for i, id := range ids {
		ids[i] = strings.TrimSpace(id)
		if !isChatID(ids[i]) {
			return badRequest("operation_failed", fmt.Sprintf("Invalid chat id %q.", ids[i]))
		}
	}
	for _, id := range ids {
		s.st.unpin(id, now)
	}
	return noContent()
}

// ---- 5. Delete a chat folder ----

func (s *Server) deleteFolder(req *apiRequest, now time.Time) *apiResponse {
	unpinAll := false
	switch v := req.query.Get("unpin_all"); v {
	case "", "false":
	case "true":
		unpinAll = true
	default:
		return badRequest("operation_failed", fmt.Sprintf("unpin_all must be true or false, not %q.", v))
	}
	if req.id == DefaultFolderID {
		return badRequest("operation_not_allowed", msgDefaultDelete)
	}
	f, _ := s.st.find(req.id)
	if f == nil {
		return badRequest("operation_failed", "No such category.")
	}
	s.st.deleteFolder(f, unpinAll, now)
	return noContent()
}

// ---- 4, 6, 7, 8. PUT /pin-categories/{id} ----

func (s *Server) updateFolder(req *apiRequest, now time.Time) *apiResponse {
	if req.badJSON {
		return badRequest("operation_failed", "The request body must be a JSON object.")
	}
	fields := req.fields
	has := func(k string) bool { _, ok := fields[k]; return ok }
	switch req.op {
	case OpReplaceChats:
		if has("title") || has("symbol") || has("state") || has("chat_id") || has("pin_above") {
			return badRequest("invalid_inputs", msgInvalidInputs)
		}
	case OpReorderChat:
		if has("title") || has("symbol") || has("state") {
			return badRequest("invalid_inputs", "title, symbol or state was sent alongside chat_id.")
		}
	case OpModifyFolder:
		if has("pin_above") {
			return badRequest("invalid_inputs", "title, symbol or state was sent alongside pin_above.")
		}
		if !has("title") && !has("symbol") && !has("state") {
			return badRequest("operation_failed", "Nothing to update.")
		}
	}
	f, _ := s.st.find(req.id)
	if f == nil {
		return badRequest("operation_failed", "No such category.")
	}
	switch req.op {
	case OpModifyFolder:
		return s.modifyFolder(f, fields, now)
	case OpReorderChat:
		return s.reorderChat(f, fields, now)
	case OpReorderFolder:
		return s.reorderFolder(f, fields, now)
	default:
		return s.replaceChats(f, fields, now)
	}
}

// ---- 4. Modify a chat folder ----

func (s *Server) modifyFolder(f *folder, fields map[string]json.RawMessage, now time.Time) *apiResponse {
	title, hasTitle, errResp := stringField(fields, "title")
	if errResp != nil {
		return errResp
	}
	if hasTitle && title == "" {
		return badRequest("operation_failed", "title cannot be empty.")
	}
	if errResp := checkTitle(title); errResp != nil {
		return errResp
	}
	symbol, hasSymbol, errResp := stringField(fields, "symbol")
	if errResp != nil {
		return errResp
	}
	if errResp := checkSymbol(symbol); errResp != nil {
		return errResp
	}
	state, hasState, errResp := stringField(fields, "state")
	if errResp != nil {
		return errResp
	}
	if hasState && state != "expanded" && state != "collapsed" {
		return badRequest("operation_failed", `state must be "expanded" or "collapsed".`)
	}
	if f.isDefault() {
		return badRequest("operation_not_allowed", msgDefaultChange)
	}
	if hasTitle {
		f.title = title
	}
	if hasSymbol {
		f.symbol = symbol
	}
	if hasState {
		f.state = state
	}
	f.touch(now)
	return noContent()
}

// syncTime decodes the required last_sync_time.
func syncTime(fields map[string]json.RawMessage) (time.Time, *apiResponse) {
	raw, ok := fields["last_sync_time"]
	if !ok {
		return time.Time{}, badRequest("operation_failed", "last_sync_time is required.")
	}
	t, err := ParseSyncTime(raw)
	if err != nil {
		return time.Time{}, badRequest("operation_failed", "Invalid last_sync_time: "+err.Error())
	}
	return t, nil
}

// ParseSyncTime decodes a JSON last_sync_time the way the fake does: an ISO
// 8601 string (RFC 3339, with or without fractional seconds, "Z" or an
// offset), or an epoch number or numeric string — seconds when below 1e11,
// milliseconds otherwise.
func ParseSyncTime(raw json.RawMessage) (time.Time, error) {
	var str string
	if json.Unmarshal(raw, &str) == nil {
		str = strings.TrimSpace(str)
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700"} {
			if t, err := time.Parse(layout, str); err == nil {
				return t, nil
			}
		}
		if t, err := parseEpoch(str); err == nil {
			return t, nil
		}
		return time.Time{}, fmt.Errorf("%q is neither ISO 8601 nor an epoch timestamp", str)
	}
	var num json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&num) != nil {
		return time.Time{}, fmt.Errorf("must be an ISO 8601 string or an epoch number")
	}
	return parseEpoch(num.String())
}

func parseEpoch(s string) (time.Time, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return time.Time{}, fmt.Errorf("%q is not an epoch timestamp", s)
	}
	if f < 1e11 {
		return time.UnixMilli(int64(math.Round(f * 1000))).UTC(), nil
	}
	return time.UnixMilli(int64(f)).UTC(), nil
}

// stale reports whether something modified at `modified` is newer than the
// client's last sync: at millisecond precision, or under Reading.WholeSecondSync with the change
// time floored to whole seconds.
func (s *Server) stale(modified, lastSync time.Time) bool {
	if s.st.reading.WholeSecondSync {
		modified = modified.Truncate(time.Second)
	}
	return modified.UnixMilli() > lastSync.UnixMilli()
}

// ---- 6. Reorder a chat within a folder ----

func (s *Server) reorderChat(f *folder, fields map[string]json.RawMessage, now time.Time) *apiResponse {
	chatID, _, errResp := stringField(fields, "chat_id")
	if errResp != nil {
		return errResp
	}
	if !isChatID(chatID) {
		return badRequest("operation_failed", fmt.Sprintf("Invalid chat id %q.", chatID))
	}
	above, hasAbove, errResp := stringField(fields, "pin_above")
	if errResp != nil {
		return errResp
	}
	lastSync, errResp := syncTime(fields)
	if errResp != nil {
		return errResp
	}
	if s.stale(f.modified, lastSync) {
		return badRequest("client_not_synced", msgNotSynced)
	}
	if !f.has(chatID) {
		return badRequest("operation_failed", fmt.Sprintf("Chat %s is not pinned in this category.", chatID))
	}
	if hasAbove && (above == chatID || !f.has(above)) {
		return badRequest("operation_failed", fmt.Sprintf("pin_above %q is not another chat of this category.", above))
	}
	s.st.moveChat(f, chatID, above, now)
	return noContent()
}

// ---- 7. Reorder a chat folder ----

func (s *Server) reorderFolder(f *folder, fields map[string]json.RawMessage, now time.Time) *apiResponse {
	above, hasAbove, errResp := stringField(fields, "pin_above")
	if errResp != nil {
		return errResp
	}
	lastSync, errResp := syncTime(fields)
	if errResp != nil {
		return errResp
	}
	if f.isDefault() {
		return badRequest("operation_not_allowed", msgDefaultChange)
	}
	if s.stale(s.st.orderModified, lastSync) {
		return badRequest("client_not_synced", msgNotSynced)
	}
	var target *folder
	if hasAbove {
		if above == DefaultFolderID {
			return badRequest("operation_not_allowed", "The default category always comes first.")
		}
		target, _ = s.st.find(above)
		if target == nil || target == f {
			return badRequest("operation_failed", fmt.Sprintf("pin_above %q is not another category.", above))
		}
	}
	s.st.moveFolder(f, target, now)
	return noContent()
}

// ---- 8. Replace chats in a folder ----

func (s *Server) replaceChats(f *folder, fields map[string]json.RawMessage, now time.Time) *apiResponse {
	ids, errResp := chatIDsField(fields["chat_ids"])
	if errResp != nil {
		return errResp
	}
	lastSync, errResp := syncTime(fields)
	if errResp != nil {
		return errResp
	}
	if f.isDefault() && s.st.reading.MyPinsRefusesReplace {
		return badRequest("operation_not_allowed", "The chats of the default category cannot be replaced.")
	}
	if s.stale(f.modified, lastSync) {
		return badRequest("client_not_synced", msgNotSynced)
	}
	if errResp := s.checkChatsAllowed(ids, f); errResp != nil {
		return errResp
	}
	if len(ids) > s.opts.MaxPinsPerFolder {
		return badRequest("max_pins_error", msgMaxPins)
	}
	s.st.setChats(f, ids, now)
	return noContent()
}

// ---- 9. Pin a chat ----

type pinJSON struct {
	ChatID     string `json:"chat_id"`
	CategoryID string `json:"category_id,omitempty"`
}

type chatEnvelope struct {
	Type string  `json:"type"`
	Data pinJSON `json:"data"`
}

func (s *Server) pinChat(req *apiRequest, now time.Time) *apiResponse {
	chatID := req.id
	if !isChatID(chatID) {
		return badRequest("chat_operation_failed", fmt.Sprintf("Invalid chat id %q.", chatID))
	}
	fields, ok := parseObject(req.body)
	if !ok {
		return badRequest("operation_failed", "The request body must be a JSON object.")
	}
	categoryID, _, errResp := stringField(fields, "category_id")
	if errResp != nil {
		return errResp
	}
	if categoryID == "" {
		categoryID = DefaultFolderID
	}
	f, _ := s.st.find(categoryID)
	if f == nil {
		return badRequest("operation_failed", "No such category.")
	}
	if s.st.denied[chatID] {
		return badRequest("chat_access_denied", msgAccessDenied)
	}
	if s.st.forbidden[chatID] {
		return badRequest("operation_not_allowed", msgPinForbidden)
	}
	if !f.has(chatID) && len(f.chats) >= s.opts.MaxPinsPerFolder {
		return badRequest("max_pins_error", msgMaxPins)
	}
	s.st.pin(f, chatID, now)
	return jsonResponse(http.StatusOK, chatEnvelope{Type: "chat.pin", Data: pinJSON{ChatID: chatID, CategoryID: f.id}})
}

// ---- 10. Unpin a chat ----

func (s *Server) unpinChat(req *apiRequest, now time.Time) *apiResponse {
	chatID := req.id
	if !isChatID(chatID) {
		return badRequest("chat_operation_failed", fmt.Sprintf("Invalid chat id %q.", chatID))
	}
	if s.st.denied[chatID] {
		return badRequest("chat_access_denied", msgAccessDenied)
	}
	if !s.st.unpin(chatID, now) {
		return badRequest("chat_operation_failed", fmt.Sprintf("Chat %s is not pinned.", chatID))
	}
	return jsonResponse(http.StatusOK, chatEnvelope{Type: "chat.unpin", Data: pinJSON{ChatID: chatID}})
}
