package demobank

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// Client is an HTTP client for the broker that serves the bank's
// back-channel endpoints (discovery, JWKS, token) in-process. It ignores
// the URL's host, so it works whatever address the server listens on and
// the server never needs to reach itself over the network.
func (b *Bank) Client() *http.Client {
	return &http.Client{
		Transport: inProcess{h: b.machine},
		// The back channel never redirects; following one would leave the
		// bank.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// inProcess is a RoundTripper that hands requests to a handler.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	// The handler sees the request as a server would: a Host, a
	// RequestURI, a body that can be read and closed.
	sr := req.Clone(req.Context())
	sr.Host = req.URL.Host
	if req.Host != "" {
		sr.Host = req.Host
	}
	sr.RequestURI = req.URL.RequestURI()
	sr.RemoteAddr = "127.0.0.1:0"
	sr.Proto, sr.ProtoMajor, sr.ProtoMinor = "HTTP/1.1", 1, 1
	if req.Body == nil {
		sr.Body = http.NoBody
	} else {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, fmt.Errorf("demo bank client: read request body: %w", err)
		}
		sr.Body = io.NopCloser(bytes.NewReader(body))
		sr.ContentLength = int64(len(body))
	}

	rw := &responseRecorder{header: http.Header{}}
	t.h.ServeHTTP(rw, sr)
	if rw.status == 0 {
		rw.WriteHeader(http.StatusOK)
	}
	res := &http.Response{
		Status:        strconv.Itoa(rw.status) + " " + http.StatusText(rw.status),
		StatusCode:    rw.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rw.sent,
		Body:          io.NopCloser(bytes.NewReader(rw.body.Bytes())),
		ContentLength: int64(rw.body.Len()),
		Request:       req,
	}
	return res, nil
}

// responseRecorder collects what a handler writes. Like a server, it
// sends the headers as they were when the status was written.
type responseRecorder struct {
	header http.Header
	sent   http.Header
	status int
	body   bytes.Buffer
}

func (r *responseRecorder) Header() http.Header { return r.header }

func (r *responseRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
		r.sent = r.header.Clone()
	}
}

func (r *responseRecorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	return r.body.Write(p)
}
