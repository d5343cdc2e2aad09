package fakecliq

import (
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"time"
)

// DefaultFolderID is the id of the built-in "My Pins" folder.
const DefaultFolderID = "default"

// firstFolderID is the id given to the first folder created on a fresh server;
// later folders get the following integers.
const firstFolderID = 4000000020001

// Chat describes a chat of the caller's chat directory.
type Chat struct {
	ChatID           string
	ChatType         string // one of ChatTypes
	Name             string
	ParticipantCount int
	ParentChatID     string // a thread's parent chat (GET /chats?parent_chid=)
}

// Folder is a snapshot of a chat folder. The built-in "My Pins" folder has ID
// "default" and empty Title, Symbol and State.
type Folder struct {
	ID      string
	Title   string
	Symbol  string
	State   string // "expanded" or "collapsed" ("" for the default folder)
	ChatIDs []string
}

// Errors returned by the out-of-band methods.
var (
	ErrFolderNotFound = errors.New("fakecliq: no such folder")
	ErrDefaultFolder  = errors.New("fakecliq: operation not allowed on the default folder")
	ErrInvalidChatID  = errors.New("fakecliq: not a chat id (empty, too long, or holding whitespace, \"/\", \"?\" or \"#\")")
	ErrInvalidState   = errors.New(`fakecliq: state must be "expanded" or "collapsed"`)
	ErrNotPinned      = errors.New("fakecliq: chat is not pinned")
)

type folder struct {
	id, title, symbol, state string
	chats                    []string
	modified                 time.Time // last change of this folder (server clock)
}

func (f *folder) isDefault() bool { return f.id == DefaultFolderID }

func (f *folder) snapshot() Folder {
	return Folder{ID: f.id, Title: f.title, Symbol: f.symbol, State: f.state, ChatIDs: slices.Clone(f.chats)}
}

func (f *folder) has(chatID string) bool { return slices.Contains(f.chats, chatID) }

func (f *folder) touch(now time.Time) { f.modified = now }

// store is the account state. It is not safe for concurrent use: the Server
// guards it with its mutex.
type store struct {
	reading       Reading
	folders       []*folder // display order; folders[0] is the default folder
	orderModified time.Time // last create/delete/reorder of folders
	nextID        int64
	chats         map[string]Chat
	denied        map[string]bool
	forbidden     map[string]bool
}

func newStore(now time.Time) *store {
	return &store{
		folders:       []*folder{{id: DefaultFolderID, chats: []string{}, modified: now}},
		orderModified: now,
		nextID:        firstFolderID,
		chats:         map[string]Chat{},
		denied:        map[string]bool{},
		forbidden:     map[string]bool{},
	}
}

func (st *store) find(id string) (*folder, int) {
	for i, f := range st.folders {
		if f.id == id {
			return f, i
		}
	}
	return nil, -1
}

func (st *store) userFolderCount() int { return len(st.folders) - 1 }

func (st *store) createFolder(title, symbol string, chatIDs []string, now time.Time) *folder {
	f := &folder{
		id:       strconv.FormatInt(st.nextID, 10),
		title:    title,
		symbol:   symbol,
		state:    "expanded",
		chats:    append([]string{}, chatIDs...),
		modified: now,
	}
	st.nextID++
	if st.reading.NewOnTop {
		st.folders = slices.Insert(st.folders, 1, f)
	} else {
		st.folders = append(st.folders, f)
	}
	st.orderModified = now
	st.claim(f, chatIDs, now)
	return f
}

// claim takes chatIDs out of every folder but f, where a chat sits in one folder at a time.
func (st *store) claim(f *folder, chatIDs []string, now time.Time) {
	if !st.reading.OneFolderPerChat {
		return
	}
	for _, other := range st.folders {
		if other == f {
			continue
		}
		n := len(other.chats)
		other.chats = slices.DeleteFunc(other.chats, func(c string) bool { return slices.Contains(chatIDs, c) })
		if len(other.chats) != n {
			other.touch(now)
		}
	}
}

// deleteFolder removes f; its chats move to the end of the default folder
// (skipping those already there) unless unpinAll.
func (st *store) deleteFolder(f *folder, unpinAll bool, now time.Time) {
	_, i := st.find(f.id)
	st.folders = slices.Delete(st.folders, i, i+1)
	st.orderModified = now
	if unpinAll && st.reading.UnpinAllEverywhere {
		for _, c := range f.chats {
			st.unpin(c, now)
		}
	}
	if unpinAll || len(f.chats) == 0 {
		return
	}
	def := st.folders[0]
	for _, c := range f.chats {
		if !def.has(c) {
			def.chats = append(def.chats, c)
		}
	}
	def.touch(now)
}

// moveFolder moves f directly above `above` (another user folder), or to the
// end when above is nil.
func (st *store) moveFolder(f, above *folder, now time.Time) {
	_, i := st.find(f.id)
	st.folders = slices.Delete(st.folders, i, i+1)
	if above == nil {
		st.folders = append(st.folders, f)
	} else {
		_, j := st.find(above.id)
		st.folders = slices.Insert(st.folders, j, f)
	}
	st.orderModified = now
	f.touch(now)
}

// moveChat moves chatID (in f) directly above `above` (another chat of f), or
// to the end when above is "".
func (st *store) moveChat(f *folder, chatID, above string, now time.Time) {
	i := slices.Index(f.chats, chatID)
	f.chats = slices.Delete(f.chats, i, i+1)
	if above == "" {
		f.chats = append(f.chats, chatID)
	} else {
		j := slices.Index(f.chats, above)
		f.chats = slices.Insert(f.chats, j, chatID)
	}
	f.touch(now)
}

// pin appends chatID to f unless it is already there.
func (st *store) pin(f *folder, chatID string, now time.Time) {
	if f.has(chatID) {
		return
	}
	if st.reading.NewOnTop {
		f.chats = slices.Insert(f.chats, 0, chatID)
	} else {
		f.chats = append(f.chats, chatID)
	}
	f.touch(now)
	st.claim(f, []string{chatID}, now)
}

// unpin removes chatID from every folder and reports whether it was pinned
// anywhere.
func (st *store) unpin(chatID string, now time.Time) bool {
	found := false
	for _, f := range st.folders {
		if i := slices.Index(f.chats, chatID); i >= 0 {
			f.chats = slices.Delete(f.chats, i, i+1)
			f.touch(now)
			found = true
		}
	}
	return found
}

func (st *store) setChats(f *folder, chatIDs []string, now time.Time) {
	f.chats = append([]string{}, chatIDs...)
	f.touch(now)
	st.claim(f, chatIDs, now)
}

// chatHash is a small deterministic hash of a chat id.
func chatHash(id string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()
}

// chat returns the directory entry of chatID: the registered one, or invented details (the type
// the id's form says, see chatTypeOfID; name "Chat <id>").
func (st *store) chat(chatID string) Chat {
	if c, ok := st.chats[chatID]; ok {
		return c
	}
	typ := chatTypeOfID(chatID)
	count := 0
	switch typ {
	case "direct_message":
		count = 2
	case "bot":
		count = 1
	default:
		count = 3 + int(chatHash(chatID)%20)
	}
	return Chat{ChatID: chatID, ChatType: typ, Name: "Chat " + chatID, ParticipantCount: count}
}

// ---- Inspection ----

// Folders returns a deep copy of all folders in display order, the default
// folder first.
func (s *Server) Folders() []Folder {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Folder, 0, len(s.st.folders))
	for _, f := range s.st.folders {
		out = append(out, f.snapshot())
	}
	return out
}

// Folder returns a copy of the folder with the given id ("default" for My
// Pins).
func (s *Server) Folder(id string) (Folder, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, _ := s.st.find(id)
	if f == nil {
		return Folder{}, false
	}
	return f.snapshot(), true
}

// ---- Chat directory ----

// AddChat registers (or replaces) the details of a chat. Unregistered chat ids
// get invented, deterministic details (a type from the id's form, see
// chatTypeOfID). Empty fields of c are filled in with the invented ones.
func (s *Server) AddChat(c Chat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	def := s.st.chat(c.ChatID)
	if c.ChatType == "" {
		c.ChatType = def.ChatType
	}
	if c.Name == "" {
		c.Name = def.Name
	}
	if c.ParticipantCount <= 0 {
		c.ParticipantCount = def.ParticipantCount
	}
	s.st.chats[c.ChatID] = c
}

// DenyChat makes the caller a non-participant of chatID: pinning or unpinning
// it answers 400 chat_access_denied, and creating a folder with it or
// replacing a folder's chats with it answers 400 operation_not_allowed.
func (s *Server) DenyChat(chatID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.denied[chatID] = true
}

// ForbidChat withdraws the caller's permission to pin chatID: pinning it,
// creating a folder with it or replacing a folder's chats with it answers 400
// operation_not_allowed. Unpinning it still works.
func (s *Server) ForbidChat(chatID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.forbidden[chatID] = true
}

// ---- Out-of-band changes ----
//
// These act like another client (the Cliq web app, another Terraform run)
// editing the same account: they bypass authentication, rate limits, faults,
// hooks and the request log, and they update modification times exactly like
// the corresponding API operation. They do not enforce MaxFolders or
// MaxPinsPerFolder.

// CreateFolderOOB creates a folder at the end of the order and returns its id.
// Values that cannot be chat ids (see isChatID) are skipped, duplicates are
// dropped.
func (s *Server) CreateFolderOOB(title, symbol string, chatIDs []string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, c := range chatIDs {
		if isChatID(c) && !slices.Contains(ids, c) {
			ids = append(ids, c)
		}
	}
	return s.st.createFolder(title, symbol, ids, s.now()).id
}

// userFolder finds a non-default folder for an OOB change.
func (s *Server) userFolder(id string) (*folder, error) {
	if id == DefaultFolderID {
		return nil, ErrDefaultFolder
	}
	f, _ := s.st.find(id)
	if f == nil {
		return nil, fmt.Errorf("%w: %q", ErrFolderNotFound, id)
	}
	return f, nil
}

// RenameFolderOOB changes a folder's title.
func (s *Server) RenameFolderOOB(id, title string) error {
	return s.SetFolderOOB(id, &title, nil, nil)
}

// SetFolderOOB changes the non-nil fields of a folder (like modify_folder).
func (s *Server) SetFolderOOB(id string, title, symbol, state *string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.userFolder(id)
	if err != nil {
		return err
	}
	if state != nil && *state != "expanded" && *state != "collapsed" {
		return ErrInvalidState
	}
	if title != nil {
		f.title = *title
	}
	if symbol != nil {
		f.symbol = *symbol
	}
	if state != nil {
		f.state = *state
	}
	f.touch(s.now())
	return nil
}

// DeleteFolderOOB deletes a folder; its chats move to the default folder, as
// a delete with unpin_all=false would.
func (s *Server) DeleteFolderOOB(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.userFolder(id)
	if err != nil {
		return err
	}
	s.st.deleteFolder(f, false, s.now())
	return nil
}

// MoveFolderOOB moves a folder directly above the folder pinAbove, or to the
// end when pinAbove is "".
func (s *Server) MoveFolderOOB(id, pinAbove string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.userFolder(id)
	if err != nil {
		return err
	}
	var above *folder
	if pinAbove != "" {
		if above, err = s.userFolder(pinAbove); err != nil {
			return err
		}
		if above == f {
			return fmt.Errorf("fakecliq: cannot move folder %q above itself", id)
		}
	}
	s.st.moveFolder(f, above, s.now())
	return nil
}

// SetFolderChatsOOB replaces a folder's chats (the default folder too).
func (s *Server) SetFolderChatsOOB(id string, chatIDs []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, _ := s.st.find(id)
	if f == nil {
		return fmt.Errorf("%w: %q", ErrFolderNotFound, id)
	}
	var ids []string
	for _, c := range chatIDs {
		if !isChatID(c) {
			return fmt.Errorf("%w: %q", ErrInvalidChatID, c)
		}
		if !slices.Contains(ids, c) {
			ids = append(ids, c)
		}
	}
	s.st.setChats(f, ids, s.now())
	return nil
}

// PinChatOOB pins a chat at the end of a folder ("" or "default" for My
// Pins); pinning a chat already in that folder is a no-op.
func (s *Server) PinChatOOB(chatID, folderID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !isChatID(chatID) {
		return fmt.Errorf("%w: %q", ErrInvalidChatID, chatID)
	}
	if folderID == "" {
		folderID = DefaultFolderID
	}
	f, _ := s.st.find(folderID)
	if f == nil {
		return fmt.Errorf("%w: %q", ErrFolderNotFound, folderID)
	}
	s.st.pin(f, chatID, s.now())
	return nil
}

// UnpinChatOOB removes a chat from every folder.
func (s *Server) UnpinChatOOB(chatID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.st.unpin(chatID, s.now()) {
		return fmt.Errorf("%w: %q", ErrNotPinned, chatID)
	}
	return nil
}

// TouchFolderOOB marks a folder as modified now without changing it, so that
// the next reorder_chat or replace_chats on it with an older last_sync_time
// answers client_not_synced. Unknown ids are ignored.
func (s *Server) TouchFolderOOB(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, _ := s.st.find(id); f != nil {
		f.touch(s.now())
	}
}

// TouchFolderOrderOOB marks the folder order as modified now, so that the next
// reorder_folder with an older last_sync_time answers client_not_synced.
func (s *Server) TouchFolderOrderOOB() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.orderModified = s.now()
}
