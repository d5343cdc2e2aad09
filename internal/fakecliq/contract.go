package fakecliq

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// SpecRelPath is where the vendor OpenAPI document lives relative to the
// workspace root.
const SpecRelPath = "shared/seed/mypins.openapi.yml"

// SpecEnv names the environment variable that may point at the vendor OpenAPI
// document.
const SpecEnv = "CLIQ_OPENAPI_SPEC"

// FindOpenAPISpec locates the vendor OpenAPI document: $CLIQ_OPENAPI_SPEC if
// it names an existing file, else the first shared/seed/mypins.openapi.yml
// found walking up from the working directory. It returns "" when absent.
func FindOpenAPISpec() string {
	if p := os.Getenv(SpecEnv); p != "" {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, filepath.FromSlash(SpecRelPath))
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// contract validates the fake's traffic against the vendor OpenAPI document.
//
// The document describes the four PUT operations on virtual duplicate paths
// (/pin-categories/{CATEGORY_ID}, {CATEGORY_ID1}, {CATEGORY_ID2},
// {CATEGORY_ID3}) that a URL router cannot tell apart. The fake has already
// decided which operation a request is, so the contract looks the route up by
// that operation's operationId instead of by URL.
type contract struct {
	mu         sync.Mutex
	routes     map[string]*routers.Route // by operationId
	pathParam  map[string]string         // operationId -> name of its path parameter
	violations []string
}

func loadContract(path string) *contract {
	c := &contract{routes: map[string]*routers.Route{}, pathParam: map[string]string{}}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		c.violations = append(c.violations, fmt.Sprintf("contract: cannot load %s: %v", path, err))
		return c
	}
	for p, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			c.routes[op.OperationID] = &routers.Route{Spec: doc, Path: p, PathItem: item, Method: method, Operation: op}
			for _, prm := range append(append(openapi3.Parameters{}, item.Parameters...), op.Parameters...) {
				if prm.Value != nil && prm.Value.In == openapi3.ParameterInPath {
					c.pathParam[op.OperationID] = prm.Value.Name
				}
			}
		}
	}
	for _, op := range AllOps() {
		if c.routes[op.operationID()] == nil {
			c.violations = append(c.violations, fmt.Sprintf("contract: %s has no operation %s", path, op.operationID()))
		}
	}
	return c
}

func (c *contract) record(format string, args ...any) {
	c.violations = append(c.violations, fmt.Sprintf(format, args...))
}

// check validates one request and, unless it was dropped or deliberately
// off-spec (faults, the 400 throttle style), its answer. Violations are
// recorded as "request <op> <METHOD> <path>: ..." and "response <op> <status>
// <METHOD> <path>: ...".
func (c *contract) check(req *apiRequest, resp *apiResponse) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := req.op.operationID()
	route := c.routes[id]
	if route == nil {
		return
	}
	ctx := context.Background()
	target := req.path
	if req.rawQuery != "" {
		target += "?" + req.rawQuery
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, "http://fakecliq"+target, bytes.NewReader(req.body))
	if err != nil {
		c.record("request %s %s %s: %v", req.op, req.method, req.path, err)
		return
	}
	hr.Header = req.header.Clone()
	if len(req.body) == 0 {
		hr.Body = http.NoBody
	}
	params := map[string]string{}
	if name := c.pathParam[id]; name != "" {
		params[name] = req.id
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		MultiError:         true,
	}
	in := &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		c.record("request %s %s %s: %s", req.op, req.method, req.path, oneLine(err))
	}
	if resp.drop || resp.noContract {
		return
	}
	header := http.Header{}
	if resp.body != nil {
		header.Set("Content-Type", "application/json;charset=UTF-8")
	}
	if resp.status == http.StatusNoContent && len(resp.body) > 0 {
		c.record("response %s %d %s %s: 204 with a body", req.op, resp.status, req.method, req.path)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(resp.body)),
		Options:                &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		c.record("response %s %d %s %s: %s", req.op, resp.status, req.method, req.path, oneLine(err))
	}
}

// schemaDump matches the schema kin-openapi quotes in its errors.
var schemaDump = regexp.MustCompile(` Schema: \{.*? Value: `)

// oneLine flattens a validation error and drops the quoted schemas.
func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	return schemaDump.ReplaceAllString(s, " Value: ")
}

// ContractViolations returns the contract violations recorded so far (nil
// when Options.OpenAPISpec is unset). Entries start with "request ",
// "response " or "contract: " (the document could not be used).
func (s *Server) ContractViolations() []string {
	if s.contract == nil {
		return nil
	}
	s.contract.mu.Lock()
	defer s.contract.mu.Unlock()
	return append([]string(nil), s.contract.violations...)
}

// ResetContractViolations forgets the violations recorded so far.
func (s *Server) ResetContractViolations() {
	if s.contract == nil {
		return
	}
	s.contract.mu.Lock()
	defer s.contract.mu.Unlock()
	s.contract.violations = nil
}
