package azuresim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

const (
	defaultMaxPageSize   = 100
	defaultTokenLifetime = 3599 * time.Second
)

// Options configures a simulator. Only Tenants has no default.
type Options struct {
	Tenants []Tenant
	// MaxPageSize caps the page size: a $top above it, or no $top, gives pages
	// of this size with @odata.nextLink. 0 means 100.
	MaxPageSize int
	// TokenLifetime is the lifetime of issued tokens, sent as expires_in in
	// whole seconds. 0 means 3599s, what Entra ID usually answers.
	TokenLifetime time.Duration
	// Now is the clock for token expiry, request log times and live mode
	// timestamps. Nil means time.Now.
	Now func() time.Time
	// Hostnames are DNS names the server also answers to: they are in its
	// certificate, and Entra ID's discovery document names the host it
	// was asked on, as the real one does. They resolve nowhere, so a client
	// reaches them only through a proxy or dialer that maps them to URL()'s
	// address: tests of outbound proxies use them, because Go never proxies
	// requests to loopback addresses. Graph's nextLinks keep URL()'s host.
	Hostnames []string
	// ARMPageSize is the number of capacities per page of a Resource
	// Manager listing; 0 means 1000.
	ARMPageSize int
	// ErrorLog receives the HTTP server's own errors, for instance TLS
	// handshakes aborted by clients that do not trust the certificate. Nil
	// discards them: in tests such errors are expected noise.
	ErrorLog *log.Logger
}

// Server is a running simulator. Its methods are safe for concurrent use.
type Server struct {
	url         string
	hostnames   []string
	now         func() time.Time
	maxPageSize int
	tokenLife   time.Duration

	store     *store
	tokens    *tokenStore
	delegated delegatedState
	cert      *certificate
	faults    faultState
	// hostile holds the answers of a hostile Azure (hostile.go).
	hostile hostileState
	stats   statsRecorder
	log     requestLog
	// shuffler orders $batch answers; its zero value is ready.
	shuffler answerShuffler

	srv       *http.Server
	serveDone chan error
	arm       *armServer
	audit     auditState

	// life is cancelled by Close; it ends in-flight requests (Latency sleeps)
	// and live mode goroutines that outlive their own context.
	life     context.Context
	stopLife context.CancelFunc

	mu        sync.Mutex // guards closed, so that liveWG.Add never races Close's Wait
	closed    bool
	liveWG    sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// New validates opts, starts an HTTPS server on 127.0.0.1 with a fresh
// self-signed certificate and returns it running.
func New(opts Options) (*Server, error) {
	if opts.MaxPageSize < 0 {
		return nil, fmt.Errorf("azuresim: MaxPageSize %d is negative", opts.MaxPageSize)
	}
	if opts.TokenLifetime < 0 {
		return nil, fmt.Errorf("azuresim: TokenLifetime %v is negative", opts.TokenLifetime)
	}
	st, err := newStore(opts.Tenants)
	if err != nil {
		return nil, fmt.Errorf("azuresim: %w", err)
	}
	cert, err := newCertificate(time.Now(), opts.Hostnames)
	if err != nil {
		return nil, fmt.Errorf("azuresim: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("azuresim: listen: %w", err)
	}
	s := &Server{
		url:         "https://" + ln.Addr().String(),
		hostnames:   opts.Hostnames,
		now:         opts.Now,
		maxPageSize: opts.MaxPageSize,
		tokenLife:   opts.TokenLifetime,
		store:       st,
		tokens:      newTokenStore(),
		cert:        cert,
		serveDone:   make(chan error, 1),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.maxPageSize == 0 {
		s.maxPageSize = defaultMaxPageSize
	}
	if s.tokenLife == 0 {
		s.tokenLife = defaultTokenLifetime
	}
	s.life, s.stopLife = context.WithCancel(context.Background())
	errorLog := opts.ErrorLog
	if errorLog == nil {
		errorLog = log.New(io.Discard, "", 0)
	}
	s.srv = &http.Server{
		Handler:           http.HandlerFunc(s.serveHTTP),
		TLSConfig:         cert.serverConfig(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          errorLog,
		BaseContext:       func(net.Listener) context.Context { return s.life },
	}
	if s.arm, err = s.startARM(opts); err != nil {
		_ = ln.Close()
		s.stopLife()
		return nil, fmt.Errorf("azuresim: resource manager: %w", err)
	}
	go func() { s.serveDone <- s.srv.ServeTLS(ln, "", "") }()
	return s, nil
}

// Close stops the server, frees its port, cancels in-flight requests and
// waits for live mode goroutines to end. Later calls return the first result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		// Connections close before the request contexts end, so that a
		// handler woken from a Latency sleep finds nobody to answer.
		err := errors.Join(s.srv.Close(), s.arm.close())
		s.stopLife()
		if serveErr := <-s.serveDone; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
			err = serveErr
		}
		s.liveWG.Wait()
		if err != nil {
			s.closeErr = fmt.Errorf("azuresim: close: %w", err)
		}
	})
	return s.closeErr
}

// URL returns the base URL, "https://127.0.0.1:PORT".
func (s *Server) URL() string { return s.url }

// GraphEndpoint returns the Graph base URL, URL()+"/beta".
func (s *Server) GraphEndpoint() string { return s.url + "/beta" }

// AuthorityHost returns the Entra ID authority host, URL()+"/", for
// cloud.Configuration.ActiveDirectoryAuthorityHost.
func (s *Server) AuthorityHost() string { return s.url + "/" }

// baseFor is the base URL as the client addressed it: URL(), or the same
// with one of Options.Hostnames.
func (s *Server) baseFor(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.Host)
	if err == nil && slices.Contains(s.hostnames, host) {
		return "https://" + r.Host
	}
	return s.url
}

// Scope returns the scope the token endpoint accepts, URL()+"/.default";
// the same with one of Options.Hostnames is accepted too.
func (s *Server) Scope() string { return s.url + "/.default" }

// CertPool returns a new pool that trusts the server's certificate.
func (s *Server) CertPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(s.cert.leaf)
	return pool
}

// CertificatePEM returns the server's certificate, PEM encoded, for clients
// that take trust from a file.
func (s *Server) CertificatePEM() []byte {
	return append([]byte(nil), s.cert.pem...)
}

// Transport returns a new transport that trusts the server's certificate.
// It never uses a proxy: the server is on the loopback interface.
func (s *Server) Transport() *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		DialContext:           dialer.DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: s.CertPool(), MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// serveHTTP routes by hand instead of with http.ServeMux, because ServeMux
// cleans paths and would turn a workspace id ".." or "a%2Fb" into something
// else before the handler sees it.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	ex := &exchange{ResponseWriter: w, requestID: newUUID()}
	path := r.URL.EscapedPath()
	defer func() { s.log.add(s.record(r, ex, path)) }()
	if s.redirectHostile(ex, r, path) {
		return
	}
	switch {
	case isBatchPath(r.URL.Path):
		s.serveBatch(ex, r)
	case auditVersion(path) != "":
		s.serveAudit(ex, r, path, auditVersion(path))
	case path == "/beta" || strings.HasPrefix(path, "/beta/"):
		s.serveGraph(ex, r, path)
	default:
		s.serveEntra(ex, r, path)
	}
}

// exchange records what the handlers answered, for the request log.
type exchange struct {
	http.ResponseWriter
	requestID string
	tenant    string
	// viewer is the UPN of a delegated token's user; "" for app-only.
	viewer string
	status int
}

func (e *exchange) WriteHeader(code int) {
	if e.status == 0 {
		e.status = code
	}
	e.ResponseWriter.WriteHeader(code)
}

func (e *exchange) Write(b []byte) (int, error) {
	if e.status == 0 {
		e.status = http.StatusOK
	}
	n, err := e.ResponseWriter.Write(b)
	if err != nil {
		return n, fmt.Errorf("write response: %w", err)
	}
	return n, nil
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (e *exchange) Unwrap() http.ResponseWriter { return e.ResponseWriter }

// splitPath splits an escaped path into unescaped segments. Unescaping one
// segment at a time keeps "%2F" inside its segment.
func splitPath(escaped string) ([]string, error) {
	escaped = strings.TrimPrefix(escaped, "/")
	if escaped == "" {
		return nil, nil
	}
	raw := strings.Split(escaped, "/")
	segs := make([]string, len(raw))
	for i, seg := range raw {
		u, err := url.PathUnescape(seg)
		if err != nil {
			return nil, fmt.Errorf("path segment %q: %w", seg, err)
		}
		segs[i] = u
	}
	return segs, nil
}
