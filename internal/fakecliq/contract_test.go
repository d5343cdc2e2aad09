package fakecliq

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func specOrSkip(t *testing.T) string {
	t.Helper()
	p := FindOpenAPISpec()
	if p == "" {
		t.Skipf("vendor OpenAPI document not found: set %s or run inside a workspace with %s", SpecEnv, SpecRelPath)
	}
	return p
}

// TestContract drives every operation and every documented error through the
// fake with contract checking on, and asserts that every answer conforms to
// the vendor OpenAPI document. Requests that must break the document to
// provoke an error (e.g. a missing required title for param_missing) must be
// reported as request violations, and nothing else.
func TestContract(t *testing.T) {
	spec := specOrSkip(t)
	h := newHarness(t, Options{OpenAPISpec: spec, DisableRateLimits: true, MaxFolders: 4, MaxPinsPerFolder: 3})
	if v := h.s.ContractViolations(); len(v) != 0 {
		t.Fatalf("spec did not load cleanly: %v", v)
	}
	h.s.ForbidChat("666")
	h.s.DenyChat("777")
	if err := h.s.PinChatOOB("777", ""); err != nil {
		t.Fatal(err)
	}
	a := h.create("A", "1", "2")
	b := h.create("B")
	full := h.create("Full", "1", "2", "3")
	stale := "2000-01-01T00:00:00Z"

	type tc struct {
		name          string
		method, path  string
		body          any
		status        int
		code          string
		badRequestFor Op // the request deliberately breaks the document
	}
	tests := []tc{
		// 1. create
		{"create", "POST", cats, map[string]any{"title": "C", "symbol": ":razz:", "chat_ids": []string{"4"}}, 200, "", ""},
		{"create max_folders_error", "POST", cats, map[string]any{"title": "D", "symbol": ""}, 400, "max_folders_error", ""},
		{"create param_missing", "POST", cats, map[string]any{"symbol": ""}, 400, "param_missing", OpCreateFolder},
		{"create too long", "POST", cats, map[string]any{"title": strings.Repeat("x", 256)}, 400, "operation_failed", OpCreateFolder},
		// 2. list
		{"list", "GET", cats, nil, 200, "", ""},
		{"list chats", "GET", cats + "?include_fields=chats", nil, 200, "", ""},
		{"list everything", "GET", cats + "?include_fields=chats,recipients_summary,last_message_info", nil, 200, "", ""},
		// 3. bulk unpin
		{"bulk unpin", "DELETE", cats + "?chat_ids=4,99", nil, 204, "", ""},
		{"bulk unpin too many", "DELETE", cats + "?chat_ids=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26", nil, 400, "operation_failed", ""},
		{"bulk unpin missing", "DELETE", cats, nil, 400, "operation_failed", OpBulkUnpin},
		// 4. modify
		{"modify", "PUT", cats + "/" + b, map[string]any{"title": "B2", "symbol": "", "state": "collapsed"}, 204, "", ""},
		{"modify default", "PUT", cats + "/default", map[string]any{"title": "x"}, 400, "operation_not_allowed", ""},
		{"modify unknown", "PUT", cats + "/42", map[string]any{"title": "x"}, 400, "operation_failed", ""},
		{"modify bad state", "PUT", cats + "/" + b, map[string]any{"state": "open"}, 400, "operation_failed", OpModifyFolder},
		{"modify invalid_inputs", "PUT", cats + "/" + b, map[string]any{"title": "x", "pin_above": a}, 400, "invalid_inputs", ""},
		// 6. reorder chat
		{"reorder chat", "PUT", cats + "/" + a, map[string]any{"chat_id": "2", "pin_above": "1", "last_sync_time": future}, 204, "", ""},
		{"reorder chat epoch", "PUT", cats + "/" + a, map[string]any{"chat_id": "2", "last_sync_time": 4102444800000}, 204, "", ""},
		{"reorder chat stale", "PUT", cats + "/" + a, map[string]any{"chat_id": "2", "last_sync_time": stale}, 400, "client_not_synced", ""},
		{"reorder chat missing", "PUT", cats + "/" + a, map[string]any{"chat_id": "9", "last_sync_time": future}, 400, "operation_failed", ""},
		{"reorder chat invalid_inputs", "PUT", cats + "/" + a, map[string]any{"chat_id": "2", "title": "x", "last_sync_time": future}, 400, "invalid_inputs", ""},
		// 7. reorder folder
		{"reorder folder", "PUT", cats + "/" + b, map[string]any{"pin_above": a, "last_sync_time": future}, 204, "", ""},
		{"reorder folder to end", "PUT", cats + "/" + b, map[string]any{"last_sync_time": future}, 204, "", ""},
		{"reorder folder stale", "PUT", cats + "/" + b, map[string]any{"last_sync_time": stale}, 400, "client_not_synced", ""},
		{"reorder folder default", "PUT", cats + "/default", map[string]any{"last_sync_time": future}, 400, "operation_not_allowed", ""},
		{"reorder folder no sync", "PUT", cats + "/" + b, map[string]any{"pin_above": a}, 400, "operation_failed", OpReorderFolder},
		// 8. replace
		{"replace", "PUT", cats + "/" + b, map[string]any{"chat_ids": []string{"5", "6"}, "last_sync_time": future}, 204, "", ""},
		{"replace default", "PUT", cats + "/default", map[string]any{"chat_ids": []string{"777"}, "last_sync_time": future}, 204, "", ""},
		{"replace stale", "PUT", cats + "/" + b, map[string]any{"chat_ids": []string{"5"}, "last_sync_time": stale}, 400, "client_not_synced", ""},
		{"replace invalid_inputs", "PUT", cats + "/" + b, map[string]any{"chat_ids": []string{"5"}, "state": "expanded", "last_sync_time": future}, 400, "invalid_inputs", ""},
		{"replace max_pins_error", "PUT", cats + "/" + b, map[string]any{"chat_ids": []string{"1", "2", "3", "4"}, "last_sync_time": future}, 400, "max_pins_error", ""},
		{"replace forbidden", "PUT", cats + "/" + b, map[string]any{"chat_ids": []string{"666"}, "last_sync_time": future}, 400, "operation_not_allowed", ""},
		// 5. delete
		{"delete default", "DELETE", cats + "/default", nil, 400, "operation_not_allowed", ""},
		{"delete unknown", "DELETE", cats + "/42", nil, 400, "operation_failed", ""},
		{"delete bad unpin_all", "DELETE", cats + "/" + b + "?unpin_all=maybe", nil, 400, "operation_failed", OpDeleteFolder},
		{"delete", "DELETE", cats + "/" + b + "?unpin_all=true", nil, 204, "", ""},
		{"delete keep chats", "DELETE", cats + "/4000000020004?unpin_all=false", nil, 204, "", ""},
		// 9. pin
		{"pin default", "POST", "/api/v3/chats/8/pins", nil, 200, "", ""},
		{"pin folder", "POST", "/api/v3/chats/8/pins", map[string]any{"category_id": a}, 200, "", ""},
		{"pin max_pins_error", "POST", "/api/v3/chats/9/pins", map[string]any{"category_id": full}, 400, "max_pins_error", ""},
		{"pin chat_access_denied", "POST", "/api/v3/chats/777/pins", nil, 400, "chat_access_denied", ""},
		{"pin operation_not_allowed", "POST", "/api/v3/chats/666/pins", nil, 400, "operation_not_allowed", ""},
		{"pin chat_operation_failed", "POST", "/api/v3/chats/a%20b/pins", nil, 400, "chat_operation_failed", ""},
		{"pin unknown folder", "POST", "/api/v3/chats/9/pins", map[string]any{"category_id": "42"}, 400, "operation_failed", ""},
		// 10. unpin
		{"unpin", "DELETE", "/api/v3/chats/8/pins", nil, 200, "", ""},
		{"unpin chat_access_denied", "DELETE", "/api/v3/chats/777/pins", nil, 400, "chat_access_denied", ""},
		{"unpin chat_operation_failed", "DELETE", "/api/v3/chats/8/pins", nil, 400, "chat_operation_failed", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := h.with(t)
			h.s.ResetContractViolations()
			h.must(h.do(tt.method, tt.path, tt.body), tt.status, tt.code)
			v := h.s.ContractViolations()
			if tt.badRequestFor == "" {
				if len(v) != 0 {
					t.Fatalf("violations: %q", v)
				}
				return
			}
			if len(v) == 0 {
				t.Fatal("the off-spec request was not reported")
			}
			for _, s := range v {
				if !strings.HasPrefix(s, "request "+string(tt.badRequestFor)+" ") {
					t.Errorf("unexpected violation %q", s)
				}
			}
		})
	}

	// 401, 429 and injected faults.
	t.Run("401", func(t *testing.T) {
		h.s.ResetContractViolations()
		h.must(h.doAuth("GET", cats, nil, "Bearer nope"), 401, "")
		if v := h.s.ContractViolations(); len(v) != 0 {
			t.Fatalf("violations: %q", v)
		}
	})
	t.Run("faults are exempt", func(t *testing.T) {
		h.s.ResetContractViolations()
		h.s.InjectFault(Fault{Op: OpListFolders, Status: 503, Code: "not_in_enum"})
		h.must(h.do("GET", cats, nil), 503, "not_in_enum")
		if v := h.s.ContractViolations(); len(v) != 0 {
			t.Fatalf("violations: %q", v)
		}
	})
	for _, style := range []string{"429", "400"} {
		t.Run("throttled "+style, func(t *testing.T) {
			h2 := newHarness(t, Options{OpenAPISpec: spec, ThrottleStyle: style, Thresholds: map[Op]int{OpListFolders: 1}})
			h2.must(h2.do("GET", cats, nil), 200, "")
			if r := h2.do("GET", cats, nil); r.status != 429 && r.status != 400 {
				t.Fatalf("status %d", r.status)
			}
			if v := h2.s.ContractViolations(); len(v) != 0 {
				t.Fatalf("violations: %q", v)
			}
		})
	}
}

// TestContractCatchesViolations makes sure the checker can fail.
func TestContractCatchesViolations(t *testing.T) {
	spec := specOrSkip(t)
	c := loadContract(spec)
	if len(c.violations) != 0 {
		t.Fatal(c.violations)
	}
	req := func(op Op, method, path, id, body string) *apiRequest {
		r := &apiRequest{op: op, method: method, path: path, id: id, body: []byte(body), header: map[string][]string{"Content-Type": {"application/json"}}}
		return r
	}
	tests := []struct {
		name string
		req  *apiRequest
		resp *apiResponse
		want string
	}{
		{"pin body type", req(OpPinChat, "POST", "/api/v3/chats/1/pins", "1", ""), jsonResponse(200, map[string]any{"type": 5}), "response pin_chat 200"},
		{"create answered 204", req(OpCreateFolder, "POST", cats, "", `{"title":"x"}`), noContent(), "response create_folder 204"},
		{"error code not in enum", req(OpListFolders, "GET", cats, "", ""), errorResponse(400, "oops", "m"), "response list_folders 400"},
		{"state not in enum", req(OpListFolders, "GET", cats, "", ""), jsonResponse(200, envelope{Data: []map[string]any{{"category_id": "1", "state": "open"}}}), "response list_folders 200"},
		{"replace without chat_ids", req(OpReplaceChats, "PUT", cats+"/1", "1", `{"last_sync_time":"x"}`), noContent(), "request replace_chats"},
		{"204 with a body", req(OpBulkUnpin, "DELETE", cats, "", ""), &apiResponse{status: 204, body: []byte(`{}`)}, "response bulk_unpin 204"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.req.op == OpBulkUnpin {
				tt.req.rawQuery = "chat_ids=1"
			}
			c.violations = nil
			c.check(tt.req, tt.resp)
			if len(c.violations) == 0 || !strings.HasPrefix(c.violations[0], tt.want) {
				t.Fatalf("violations %q, want one starting with %q", c.violations, tt.want)
			}
		})
	}
}

func TestContractLoadFailure(t *testing.T) {
	s := New(Options{OpenAPISpec: filepath.Join(t.TempDir(), "missing.yml")})
	if v := s.ContractViolations(); len(v) != 1 || !strings.HasPrefix(v[0], "contract: cannot load") {
		t.Fatalf("violations %q", v)
	}
	if New(Options{}).ContractViolations() != nil {
		t.Fatal("violations without a spec")
	}
}

func TestFindOpenAPISpec(t *testing.T) {
	f := filepath.Join(t.TempDir(), "spec.yml")
	if err := os.WriteFile(f, []byte("openapi: 3.0.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(SpecEnv, f)
	if got := FindOpenAPISpec(); got != f {
		t.Fatalf("with %s: %q", SpecEnv, got)
	}
	// Walking up from a directory that has shared/seed/... above it.
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b")
	seed := filepath.Join(root, filepath.FromSlash(SpecRelPath))
	for _, d := range []string{deep, filepath.Dir(seed)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(seed, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(SpecEnv, filepath.Join(root, "does-not-exist"))
	t.Chdir(deep)
	if got := FindOpenAPISpec(); got != seed {
		t.Fatalf("walking up: %q, want %q", got, seed)
	}
	t.Chdir(t.TempDir())
	if got := FindOpenAPISpec(); got != "" && !strings.HasSuffix(got, SpecRelPath) {
		t.Fatalf("absent: %q", got)
	}
}
