package linkedintest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Documents API (learn.microsoft.com/linkedin/marketing/community-management/
// shares/documents-api): POST /rest/documents?action=initializeUpload
// {initializeUploadRequest:{owner}} answers value{uploadUrl, document};
// the bytes are PUT to uploadUrl; GET /rest/documents/{urn} reads the
// status (WAITING_UPLOAD, PROCESSING, AVAILABLE, PROCESSING_FAILED). A
// post shows one as content.media {id, title}, the title required. PDF,
// PPT(X) and DOC(X) up to 100 MB and 300 pages.

// MaxDocumentBytes is the Documents API's size limit.
const MaxDocumentBytes = 100 << 20

// Documents returns the document uploads, keyed by URN (an Image each:
// documents live as images do).
func (s *Server) Documents() map[string]Image {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]Image{}
	for k, v := range s.documents {
		out[k] = *v
	}
	return out
}

func (s *Server) initDocument(r *http.Request, body []byte) reply {
	if r.URL.Query().Get("action") != "initializeUpload" {
		return badRequest("unsupported action")
	}
	var req initRequest
	if json.Unmarshal(body, &req) != nil || !authorURN.MatchString(req.InitializeUploadRequest.Owner) {
		return fail(http.StatusUnprocessableEntity, 0, "", "/initializeUploadRequest/owner: required URN")
	}
	if rep, ok := s.needScope(r, authorScope(req.InitializeUploadRequest.Owner, "w_%s_social"), "documents.ACTION-initializeUpload"); !ok {
		return rep
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.id()
	d := &Image{URN: fmt.Sprintf("urn:li:document:D4D10AQ%d", n), Owner: req.InitializeUploadRequest.Owner, Status: "WAITING_UPLOAD", sig: signature(), expires: s.now().Add(UploadURLLife)}
	s.documents[d.URN] = d
	return answer(http.StatusOK, map[string]any{"value": map[string]any{
		"uploadUrlExpiresAt": d.expires.UnixMilli(),
		"uploadUrl":          fmt.Sprintf("%s/upload/document/%d?sig=%s", s.ts.URL, n, d.sig),
		"document":           d.URN,
	}})
}

func (s *Server) uploadDocument(r *http.Request, body []byte) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.documents["urn:li:document:D4D10AQ"+r.PathValue("id")]
	switch {
	case !ok || r.URL.Query().Get("sig") != d.sig:
		return fail(http.StatusForbidden, 0, "", "upload URL signature does not match")
	case s.now().After(d.expires):
		return fail(http.StatusForbidden, 0, "", "upload URL expired")
	case len(body) == 0:
		return badRequest("empty upload")
	case len(body) > MaxDocumentBytes:
		return fail(http.StatusRequestEntityTooLarge, 0, "", "document larger than 100 MB")
	}
	d.Size = int64(len(body))
	d.Status = "AVAILABLE"
	return reply{status: http.StatusCreated}
}

func (s *Server) readDocument(r *http.Request, _ []byte) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.documents[r.PathValue("urn")]
	if !ok {
		return fail(http.StatusNotFound, 0, "", "no such document")
	}
	return poll(&d.Status, &d.polls, d.failed, d.URN, d.Owner)
}

// postDocument checks a post's document media; callers hold mu.
func (s *Server) postDocument(id, title, author string) (reply, bool) {
	d, ok := s.documents[id]
	switch {
	case !ok || d.Status != "AVAILABLE" || d.Owner != author:
		return fail(http.StatusUnprocessableEntity, 0, "", "/content/media/id: document not AVAILABLE or not the author's"), false
	case strings.TrimSpace(title) == "":
		return fail(http.StatusUnprocessableEntity, 0, "", "/content/media/title: required for a document"), false
	}
	return reply{}, true
}
