package azuresim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// ListingFault breaks the answers to a workspace's session listings, the
// way proxies, overloaded services and buggy releases break answers. Its
// zero value breaks nothing; the fields combine.
type ListingFault struct {
	// Body breaks the answer as a whole.
	Body BodyFault
	// Latency delays the answer after the request was counted. Inside a
	// $batch it delays the whole batch answer, as a slow item does on
	// Graph. A request whose context ends meanwhile gets no answer.
	Latency time.Duration
	// Count, when not empty, is written verbatim as the value of
	// @odata.count of pages that ask for the count: "-1", "2.5", `"12"`,
	// or a number that disagrees with the items. It must be valid JSON.
	Count string
	// Created, when not empty, is written verbatim as the createdDateTime
	// of the first session of every page that selects it: `"yesterday"`,
	// `"2025-02-30T00:00:00Z"`, `12`. It must be valid JSON.
	Created string
	// NextLink, when not empty, is the @odata.nextLink of every page:
	// NextLinkLoop, NextLinkEndless, or any other string, written as is,
	// such as a URL on another host or scheme.
	NextLink string
}

// BodyFault is a way the answer to a listing is broken as a whole.
type BodyFault int

const (
	// BodyIntact leaves the answer alone.
	BodyIntact BodyFault = iota
	// BodyTruncated sends the first half of the page, with a
	// Content-Length that matches: a clean end of a broken document.
	BodyTruncated
	// BodyReset announces the whole page in Content-Length, sends half of
	// it and resets the connection. Inside a $batch it resets the $batch
	// POST, whose connection carries the whole batch.
	BodyReset
	// BodyEmpty answers 200 with Content-Type application/json and no body.
	BodyEmpty
	// BodyWrongType sends the page as text/plain.
	BodyWrongType
	// BodyHTML answers 502 with a proxy's HTML error page.
	BodyHTML
	// BodyOversized pads the page, before its items, with an annotation of
	// OversizedBody bytes: valid JSON no sane client should read whole.
	BodyOversized
)

// OversizedBody is the size of the annotation BodyOversized adds to a page.
const OversizedBody = 40 << 20

// Values of ListingFault.NextLink with a meaning of their own.
const (
	// NextLinkLoop links every page to itself: the same link again.
	NextLinkLoop = "azuresim:loop"
	// NextLinkEndless links every page to a further empty page, each with
	// a link of its own, without end.
	NextLinkEndless = "azuresim:endless"
)

// endlessAfter is where the empty pages of NextLinkEndless start: after
// every session a test creates.
var endlessAfter = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

const proxyErrorPage = `<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><h1>502 Bad Gateway</h1><p>The upstream server did not answer in time.</p></body></html>
`

// breakCreated applies ListingFault.Created to the first item of a page.
func breakCreated(items []jsonObject, created string) {
	if created == "" || len(items) == 0 {
		return
	}
	for i, f := range items[0] {
		if f.key == "createdDateTime" {
			items[0][i].value = json.RawMessage(created)
		}
	}
}

// pageNextLink is the @odata.nextLink of a page: the real one, or the one
// ListingFault.NextLink asks for.
func (s *Server) pageNextLink(l *listing, p pageOut) (string, error) {
	switch p.fault.NextLink {
	case "":
		if p.last == nil || l.size == 0 {
			return "", nil
		}
		if p.nextOffset > 0 {
			return s.nextLinkToken(p.escapedPath, l.q, skipToken{Route: l.route, Query: l.q.canonical, Offset: p.nextOffset})
		}
		return s.nextLink(p.escapedPath, l.q, l.route, *p.last)
	case NextLinkLoop:
		return s.url + p.escapedPath + "?" + p.rawQuery, nil
	case NextLinkEndless:
		n := 1
		if l.after != nil && l.after.t.Equal(endlessAfter) {
			prev, _ := strconv.Atoi(l.after.id) // a token of ours: always a number
			n = prev + 1
		}
		return s.nextLink(p.escapedPath, l.q, l.route, pageKey{t: endlessAfter, id: strconv.Itoa(n)})
	}
	return p.fault.NextLink, nil
}

// padPage puts the annotation of BodyOversized first in an encoded page.
// Splicing bytes instead of encoding a 40 MiB string keeps the fault cheap.
func padPage(page []byte) []byte {
	const key = `{"@microsoft.graph.tips":"`
	out := make([]byte, 0, len(key)+OversizedBody+len(page)+1)
	out = append(out, key...)
	out = append(out, bytes.Repeat([]byte{'x'}, OversizedBody)...)
	out = append(out, '"', ',')
	return append(out, page[1:]...) // page starts with '{'
}

// writeListingBody writes a page, broken as kind asks.
func writeListingBody(w http.ResponseWriter, kind BodyFault, body []byte) {
	switch kind {
	case BodyTruncated:
		writeBody(w, http.StatusOK, odataJSON, body[:len(body)/2])
	case BodyReset:
		h := w.Header()
		h.Set("Content-Type", odataJSON)
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body[:len(body)/2])
		// Flushing puts the half on the wire before the reset; inside a
		// $batch there is nothing to flush.
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	case BodyEmpty:
		writeBody(w, http.StatusOK, odataJSON, nil)
	case BodyWrongType:
		writeBody(w, http.StatusOK, "text/plain; charset=utf-8", body)
	case BodyHTML:
		writeBody(w, http.StatusBadGateway, "text/html; charset=utf-8", []byte(proxyErrorPage))
	default:
		writeBody(w, http.StatusOK, odataJSON, body)
	}
}
