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
)

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
	Status  int    // FaultStatus: HTTP status to answer (default 500)
	Code    string // FaultStatus: optional error code
	Message string // FaultStatus: optional message (default: the vendor's text for 500)
	Times   int    // how many matching requests to disturb (default 1; < 0: until ClearFaults)
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
// executed, or nil for FaultDropAfter. The caller holds s.mu.
func (s *Server) faultResponse(f *Fault, op Op) *apiResponse {
	switch f.Kind {
	case FaultDropBefore:
		return &apiResponse{drop: true, noContract: true}
	case FaultDropAfter:
		return nil
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
