package fakecliq

import (
	"fmt"
	"net/http"
	"time"
)

// FaultKind says how an injected fault disturbs a request.
type FaultKind int

const (
	// FaultStatus answers Fault.Status (default 500) with the optional
	// Code and Message, without executing the request.
	FaultStatus FaultKind = iota
	// FaultDropBefore closes the connection without answering; nothing is
	// committed.
	FaultDropBefore
	// FaultDropAfter executes the request (the change is committed), then
	// closes the connection without answering.
	FaultDropAfter
	// FaultThrottle answers as throttled (per Options.ThrottleStyle) and locks
	// the operation for LockPeriod, as if its threshold had been exceeded.
	// On OpToken it answers the token endpoint's "Access Denied" (no lock).
	FaultThrottle
	// FaultHTMLBefore answers as a proxy or load balancer in front of Cliq
	// might: Fault.Status (default 200) with Fault.Body (default an HTML error
	// page, DefaultFaultPage) of Fault.ContentType (default
	// "text/html; charset=utf-8"), without executing the request; nothing is
	// committed. The request log records the answer with Code "html_page".
	FaultHTMLBefore
	// FaultHTMLAfter executes the request (the change is committed), then
	// answers as FaultHTMLBefore instead of the real answer.
	FaultHTMLAfter
)

// CodeHTMLPage is the Code the request log records for an answer of
// FaultHTMLBefore or FaultHTMLAfter.
const CodeHTMLPage = "html_page"

// DefaultFaultPage is the body FaultHTMLBefore and FaultHTMLAfter answer
// with unless Fault.Body is set: the kind of page a proxy serves when the
// service behind it is unavailable.
const DefaultFaultPage = "<html><head><title>503 Service Temporarily Unavailable</title></head>\n" +
	"<body><h1>Service temporarily unavailable</h1>\n<p>The server is temporarily unable to service your request. Please try again later.</p>\n" +
	"<hr><address>proxy at cliq.zoho.com Port 443</address></body></html>\n"

func (k FaultKind) String() string {
	switch k {
	case FaultStatus:
		return "status"
	case FaultDropBefore:
		return "drop-before"
	case FaultDropAfter:
		return "drop-after"
	case FaultThrottle:
		return "throttle"
	case FaultHTMLBefore:
		return "html-before"
	case FaultHTMLAfter:
		return "html-after"
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Fault is a scripted misbehaviour for the next request(s) to Op.
//
// Faults apply only to requests that passed authentication and the rate
// limiter; they are consumed in injection order. Dropped connections look like
// a network failure to the client; note that Go's http.Transport silently
// retries a GET (not a POST/PUT/DELETE) once when a reused connection closes
// without an answer, which consumes a second fault if one is pending.
type Fault struct {
	Op      Op // the operation to disturb; "" matches any of the ten API operations
	Kind    FaultKind
	Status  int    // FaultStatus: HTTP status to answer (default 500); FaultHTML*: default 200
	Code    string // FaultStatus: optional error code
	Message string // FaultStatus: optional message (default: the vendor's text for 500)
	Times   int    // how many matching requests to disturb (default 1; < 0: until ClearFaults)

	// FaultHTMLBefore, FaultHTMLAfter: the answer's body (default DefaultFaultPage) and content
	// type (default text/html; "none" sends no Content-Type). Set them for other unreadable
	// answers: truncated JSON, JSON of another shape. NoBody answers with an empty body.
	Body        string
	ContentType string
	NoBody      bool
}

// InjectFault queues a fault.
func (s *Server) InjectFault(f Fault) {
	if f.Times == 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every pending fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// PendingFaults returns the faults not yet used up (Times is what remains).
func (s *Server) PendingFaults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, 0, len(s.faults))
	for _, f := range s.faults {
		out = append(out, *f)
	}
	return out
}

// takeFault consumes the first pending fault matching op. The caller holds
// s.mu.
func (s *Server) takeFault(op Op) *Fault {
	for i, f := range s.faults {
		if f.Op != op && !(f.Op == "" && op.valid()) {
			continue
		}
		taken := *f
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return &taken
	}
	return nil
}

// faultResponse is the answer of a fault that stops the request before it is
// executed, or nil for a fault that lets it execute first (see faultAfter).
// The caller holds s.mu.
func (s *Server) faultResponse(f *Fault, op Op) *apiResponse {
	switch f.Kind {
	case FaultDropBefore:
		return &apiResponse{drop: true, noContract: true}
	case FaultDropAfter, FaultHTMLAfter:
		return nil
	case FaultHTMLBefore:
		return f.page()
	case FaultThrottle:
		s.throttled[op]++
		if op == OpToken {
			return tokenDenied()
		}
		s.limiters[op].lockNow(s.now())
		s.locks[op]++
		return s.throttledResponse()
	default:
		status := f.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		msg := f.Message
		if msg == "" && f.Code == "" {
			msg = msgServerError
		}
		r := errorResponse(status, f.Code, msg)
		r.noContract = true
		return r
	}
}

// faultAfter is the answer that replaces the real one of a request that
// executed under fault f, or nil to send the real one.
func faultAfter(f *Fault) *apiResponse {
	if f == nil {
		return nil
	}
	switch f.Kind {
	case FaultDropAfter:
		return &apiResponse{drop: true, noContract: true}
	case FaultHTMLAfter:
		return f.page()
	}
	return nil
}

// page is the answer of FaultHTMLBefore and FaultHTMLAfter.
func (f *Fault) page() *apiResponse {
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	body, ctype := f.Body, f.ContentType
	if body == "" && !f.NoBody {
		body = DefaultFaultPage
	}
	if ctype == "" {
		ctype = "text/html; charset=utf-8"
	}
	r := &apiResponse{status: status, contentType: ctype, code: CodeHTMLPage, noContract: true}
	if body != "" {
		r.body = []byte(body)
	}
	return r
}

// SetLatency delays every request to op by d before it is processed (0
// removes the op's own latency, falling back to SetLatencyAll's).
func (s *Server) SetLatency(op Op, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		delete(s.latency, op)
		return
	}
	s.latency[op] = d
}

// SetLatencyAll delays every request (to any operation without its own
// SetLatency) by d.
func (s *Server) SetLatencyAll(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latencyAll = d
}
