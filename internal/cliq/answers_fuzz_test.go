package cliq

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// fuzzOps are the operations in a fixed order, so that a fuzz input can pick one by number.
var fuzzOps = []Operation{
	OpCreateFolder, OpListFolders, OpBulkUnpin, OpModifyFolder, OpDeleteFolder,
	OpReorderChat, OpReorderFolder, OpReplaceChats, OpPinChat, OpUnpinChat,
}

const fuzzSecret = "1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"

// FuzzAnswers feeds every operation's answer check with arbitrary success answers (status,
// Content-Type, body), seeded with the documented answers and the pages a proxy sends. Invariants:
// no panic; an answer the check accepts is one the client can use (decode succeeds, every id it
// needs is there); an answer it rejects gets an error that names the request, the status and what
// is wrong, with an excerpt that is short, on one line, and shows no secret.
func FuzzAnswers(f *testing.F) {
	const jsonCT = "application/json;charset=UTF-8"
	seeds := []struct {
		op   Operation
		ct   string
		body string
	}{
		{OpCreateFolder, jsonCT, `{"url":"/v3/pin-categories","type":"pin_categories","data":{"category_id":"4000000020001","state":"expanded","symbol":":razz:","title":"Priority Workitems"}}`},
		{OpListFolders, jsonCT, `{"url":"/v3/pin-categories","type":"pin_categories","data":[{"category_id":"default"},{"category_id":"4000000020001","state":"expanded","symbol":":razz:","title":"Cliq!","chats":[{"chat_id":"1488288613043522033","chat_type":"channel","name":"Product Launch","participant_count":12,"is_pinned":true}]}]}`},
		{OpListFolders, jsonCT, `{"data":[{"category_id":"default","chats":[{"chat_id":"1","recipients_summary":[{"id":1,"name":"a"}],"last_message_info":{"id":"m","type":"text","time":1700000000000,"content":{"text":"hi"},"sender":{"id":"2","name":"b"}}}]}]}`},
		{OpPinChat, jsonCT, `{"type":"chat.pin","data":{"chat_id":"2890538000000012345","category_id":"2890538000000011111"}}`},
		{OpUnpinChat, jsonCT, `{"type":"chat.unpin","data":{"chat_id":"2890538000000012345"}}`},
		{OpReplaceChats, "", ``},
		{OpBulkUnpin, jsonCT, `{}`},
		{OpCreateFolder, "text/html; charset=utf-8", fakecliq.DefaultFaultPage},
		{OpListFolders, "text/html", fakecliq.DefaultFaultPage},
		{OpModifyFolder, "text/html", fakecliq.DefaultFaultPage},
		{OpPinChat, "text/plain", "upstream connect error or disconnect/reset before headers"},
		{OpCreateFolder, jsonCT, `{"url":"/v3/pin-categories","type":"pin_categories","data":{"category_id":"40000`},
		{OpCreateFolder, jsonCT, `{"data":{"category_id":4000000020001}}`},
		{OpListFolders, jsonCT, `{"data":{"category_id":"default"}}`},
		{OpListFolders, jsonCT, `{"data":[{"title":"x"}]}`},
		{OpListFolders, jsonCT, `null`},
		// The v3 Chats module's shapes: "pinned", "message_id", the sender as an id; then a sender of neither shape.
		{OpListFolders, jsonCT, `{"data":[{"category_id":"default","chats":[{"chat_id":"CT_1847392056173920481_748291635","pinned":true,"last_message_info":{"message_id":"1712345678901_7","sender":"60000001","time":1712345678901,"content":{"text":"hi"}}}]}]}`},
		{OpListFolders, jsonCT, `{"data":[{"category_id":"default","chats":[{"chat_id":"1","last_message_info":{"id":"m","sender":[true]}}]}]}`},
		{OpListFolders, "application/json", "<html><p>Authorization: Bearer " + fuzzSecret + "</p></html>"},
		{OpDeleteFolder, "application/problem+json", `{"title":"ok"}`},
		{OpUnpinChat, "", "\x00\xff`\u2028"},
	}
	for i, s := range seeds {
		f.Add(uint8(indexOf(s.op)), uint16(200+i%7), s.ct, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, opIndex uint8, status uint16, contentType string, body []byte) {
		op := fuzzOps[int(opIndex)%len(fuzzOps)]
		st := 200 + int(status)%100
		uerr := checkAnswer(op, st, contentType, body, []string{fuzzSecret})
		ans := &answer{status: st, contentType: contentType, body: body}
		if uerr == nil {
			switch answerShapes[op] {
			case shapeFolder:
				var cr createFolderResponse
				if err := ans.decode(op, &cr); err != nil || cr.Data.ID == "" {
					t.Fatalf("%s: accepted %q, yet decode gives %v (id %q)", op, body, err, cr.Data.ID)
				}
			case shapeFolders:
				var lr listResponse
				if err := ans.decode(op, &lr); err != nil || lr.Data == nil {
					t.Fatalf("%s: accepted %q, yet decode gives %v (data %v)", op, body, err, lr.Data)
				}
				for _, fo := range lr.Data {
					if fo.ID == "" {
						t.Fatalf("%s: accepted %q with a folder without id", op, body)
					}
					for _, ch := range fo.Chats {
						if ch.ChatID == "" {
							t.Fatalf("%s: accepted %q with a chat without id", op, body)
						}
					}
				}
			default:
				if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && !json.Valid(trimmed) {
					t.Fatalf("%s: accepted a body that is not JSON: %q", op, body)
				}
			}
			return
		}
		msg := uerr.Error()
		for _, want := range []string{operationNouns[op], "(" + string(op) + ")", "HTTP ", "try again"} {
			if !strings.Contains(msg, want) {
				t.Fatalf("%s: the error %q lacks %q", op, msg, want)
			}
		}
		if uerr.Problem == "" {
			t.Fatalf("%s: the error for %q does not say what is wrong", op, body)
		}
		for _, bare := range []string{"invalid character", "unexpected end of JSON", "json: ", "cannot unmarshal"} {
			if strings.Contains(msg, bare) {
				t.Fatalf("%s: the error carries a bare decoder message: %s", op, msg)
			}
		}
		checkExcerpt(t, uerr.Excerpt, fuzzSecret)
		if strings.Contains(msg, fuzzSecret) {
			t.Fatalf("%s: the error shows the secret: %s", op, msg)
		}
	})
}

func indexOf(op Operation) int {
	for i, o := range fuzzOps {
		if o == op {
			return i
		}
	}
	return 0
}

// checkExcerpt holds an excerpt to its promises: short, one line, no backquote, no secret.
func checkExcerpt(t *testing.T, ex, secret string) {
	t.Helper()
	if n := utf8.RuneCountInString(ex); n > excerptRunes+1 {
		t.Fatalf("excerpt of %d characters: %q", n, ex)
	}
	if strings.ContainsFunc(ex, func(r rune) bool { return r == '`' || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) {
		t.Fatalf("excerpt with a backquote or a control character: %q", ex)
	}
	if !utf8.ValidString(ex) {
		t.Fatalf("excerpt is not UTF-8: %q", ex)
	}
	if secret != "" && strings.Contains(ex, secret) {
		t.Fatalf("excerpt shows the secret: %q", ex)
	}
}

// FuzzRedactedExcerpt puts a secret anywhere in an arbitrary body: the excerpt never shows it.
func FuzzRedactedExcerpt(f *testing.F) {
	f.Add("<html><body>", fuzzSecret, "</body></html>", uint16(0))
	f.Add("Authorization: Bearer ", "abcdefgh12345678", " more", uint16(3))
	f.Add(strings.Repeat(" ", excerptWindow-4), "secretsecret99", "", uint16(0))
	f.Add(`{"access_token":"`, "1000.a.b.c", `"}`, uint16(1))
	f.Fuzz(func(t *testing.T, prefix, secret, suffix string, pad uint16) {
		if len(secret) < 8 || strings.IndexFunc(secret, func(r rune) bool {
			return !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-~+/=", r)))
		}) >= 0 || strings.Contains("[redacted]", secret) {
			return // secrets are tokens: letters, digits and a few marks
		}
		body := prefix + strings.Repeat(" ", int(pad)%(2*excerptWindow)) + secret + suffix
		checkExcerpt(t, redactedExcerpt([]byte(body), []string{secret}), secret)
	})
}
