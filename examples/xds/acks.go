package main

import (
	"log/slog"

	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
)

// nackKey is one NACK as logged: once per proxy, type and version.
type nackKey struct{ proxy, typeURL, version string }

// sent records the response just sent on a stream, so that the request
// answering it can be told an ACK or a NACK of that version.
func (s *Server) sent(key streamKey, typeURL, nonce, version string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.streams[key]; ok {
		st.sent[typeURL] = sentResponse{nonce: nonce, version: version}
	}
}

// ack records what a request says of the stream's last response of its type:
// accepted, or rejected with errorDetail. It returns the rejected version of a
// NACK, else "". A request whose nonce is not the last one sent is stale
// (go-control-plane ignores it too) and says nothing. s.mu is held.
func (s *Server) ack(st *stream, typeURL, nonce string, errorDetail *rpcstatus.Status) string {
	last, ok := st.sent[typeURL]
	if nonce == "" || !ok || nonce != last.nonce {
		return ""
	}
	p := s.proxies[st.proxy]
	if p == nil {
		return ""
	}
	if errorDetail == nil {
		p.acked[typeURL] = last.version
		if n, ok := p.nacked[typeURL]; ok && n.Version != last.version {
			delete(p.nacked, typeURL)
		}
		return ""
	}
	n := Nack{Version: last.version, Error: errorDetail.GetMessage()}
	p.nacked[typeURL] = n
	k := nackKey{st.proxy, typeURL, n.Version}
	if _, ok := s.nacks[k]; !ok {
		if len(s.nacks) >= maxLogged {
			clear(s.nacks)
		}
		s.nacks[k] = struct{}{}
		s.log.Warn("proxy rejected a response (NACK); that version is not sent to it again",
			"proxy", st.proxy, "type", typeURL, "version", n.Version, slog.String("error_detail", n.Error))
	}
	return n.Version
}
