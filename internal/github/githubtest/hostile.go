package githubtest

import (
	"bytes"
	"io"
	"net"
	"net/http"
)

// What follows makes the server misbehave the way a broken GitHub, or a
// server posing as one, might: answers too large to hold and listings that
// never end. The client must stay within its limits regardless.

// FailLarge answers the next n requests to op with status and a JSON error
// body of size bytes ({"message":"xxx…"}, with Content-Length), streamed
// without being held in memory; Request.Written tells how much of it the
// client read before hanging up.
func (s *Server) FailLarge(op string, n, status int, size int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{op: op, n: n, status: status, size: max(size, int64(len(largeHead+largeTail)))})
}

// SetEndlessPages makes every listing announce a next page, forever, past the
// end of its items (which it then serves as empty pages), as a broken or
// hostile server might.
func (s *Server) SetEndlessPages(endless bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endless = endless
}

// The frame of a large error body, around its filler.
const (
	largeHead = `{"message":"`
	largeTail = `"}`
)

// streamLarge writes a JSON error body of size bytes in small pieces, and
// stops as soon as the client has gone.
func streamLarge(w io.Writer, size int64) {
	if _, err := io.WriteString(w, largeHead); err != nil {
		return
	}
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	for left := size - int64(len(largeHead)+len(largeTail)); left > 0; {
		n, err := w.Write(chunk[:min(int64(len(chunk)), left)])
		left -= int64(n)
		if err != nil {
			return
		}
	}
	_, _ = io.WriteString(w, largeTail)
}

// socketBuffer is the kernel's send buffer for each connection the server
// accepts: small, so that what the server has written (Request.Written)
// stays close to what the client read instead of counting megabytes queued
// in the kernel.
const socketBuffer = 16 << 10

// smallBuffers gives every connection the server accepts a small send buffer.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(socketBuffer)
	}
	return c, err
}

// countingWriter counts the body bytes a handler got onto the connection.
type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n += int64(n)
	return n, err
}
