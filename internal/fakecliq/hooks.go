package fakecliq

// beforeHook is a BeforeExecute registration.
type beforeHook struct {
	op Op
	fn func(LoggedRequest)
}

// BeforeExecute registers fn to run just before a request to op ("" = every
// operation, OpToken included) is executed: after it passed authentication,
// the rate limiter and faults (so never for requests answered 401, throttled
// or by a FaultStatus/FaultDropBefore fault). fn gets the request (Status is
// still 0) and runs without the server lock, so it may call the OOB methods to
// simulate another client racing the request, or block to widen a race.
func (s *Server) BeforeExecute(op Op, fn func(LoggedRequest)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.before = append(s.before, beforeHook{op: op, fn: fn})
}

// AfterExecute registers fn to run right after a request to op ("" = every operation) was
// executed, before its answer is written and dated: a change fn makes lands after what the
// request read or wrote, yet before the Date of its answer. fn may block to push that Date into
// a later second (a server slow to answer after reading the list). It runs without the server
// lock, for the requests BeforeExecute hooks see.
func (s *Server) AfterExecute(op Op, fn func(LoggedRequest)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.executed = append(s.executed, beforeHook{op: op, fn: fn})
}

// AfterRequest registers fn to run after every request the server handled
// (404/405 and token requests included), with its log entry. It runs without
// the server lock, after the answer was written (or the connection dropped).
func (s *Server) AfterRequest(fn func(LoggedRequest)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.after = append(s.after, fn)
}

// ClearHooks removes every BeforeExecute, AfterExecute and AfterRequest hook.
func (s *Server) ClearHooks() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.before, s.executed, s.after = nil, nil, nil
}

func (s *Server) runBeforeHooks(req *apiRequest) { s.runHooks(&s.before, req) }

// runHooks runs those of *hooks (read under s.mu) that match req's operation.
func (s *Server) runHooks(hooks *[]beforeHook, req *apiRequest) {
	s.mu.Lock()
	var fns []func(LoggedRequest)
	for _, h := range *hooks {
		if h.op == "" || h.op == req.op {
			fns = append(fns, h.fn)
		}
	}
	s.mu.Unlock()
	if len(fns) == 0 {
		return
	}
	entry := LoggedRequest{Time: req.arrived, Op: req.op, Method: req.method, Path: req.path, Query: req.rawQuery, Body: string(req.body)}
	if req.op == OpToken {
		entry.Query, entry.Body = redactForm(req.rawQuery), redactForm(string(req.body))
	}
	for _, fn := range fns {
		fn(entry)
	}
}
