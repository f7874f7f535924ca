package linkedin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/media"
)

// Document posts (Documents API): a PDF, PPT(X) or DOC(X) up to 100 MB
// and 300 pages, uploaded like an image (initializeUpload, PUT, status
// until AVAILABLE) and shown as content.media {id, title}, the title
// required.
const (
	// OptionDocumentURL makes the post a document post: the URL of the
	// file. No other media.
	OptionDocumentURL = "document_url"
	// OptionDocumentTitle is the document's title; Content.Title when
	// unset. Required.
	OptionDocumentTitle = "document_title"
	// MediaDocument is the media kind a Fetcher must know to open
	// documents (MediaContentTypes).
	MediaDocument = "document"
	// CheckpointDocument holds the URN of the uploaded document.
	CheckpointDocument = "li_document"
	// CheckpointDocumentReady holds the URN once LinkedIn made it
	// AVAILABLE.
	CheckpointDocumentReady = "li_document_ready"
	// MaxDocumentBytes is the Documents API's size limit.
	MaxDocumentBytes = 100 << 20
)

var documentURN = regexp.MustCompile(`^urn:li:document:[A-Za-z0-9_-]{1,128}$`)

// DocumentContentTypes are the content types a document may be served
// with: PDF, Word and PowerPoint, or a storage service's octet-stream.
var documentContentTypes = []string{
	"application/pdf", "application/msword", "application/vnd.ms-powerpoint",
	"application/vnd.openxmlformats-officedocument.", "application/octet-stream",
}

// MediaContentTypes are media.DefaultContentTypes plus MediaDocument's:
// the Fetcher a Publisher is given should take them, or document posts
// fail ("unknown media kind").
func MediaContentTypes() map[string][]string {
	m := maps.Clone(media.DefaultContentTypes)
	m[MediaDocument] = append([]string(nil), documentContentTypes...)
	return m
}

// document uploads the post's document, unless an earlier attempt did,
// waits until LinkedIn made it AVAILABLE, and returns its URN.
func (pub *publication) document(ctx context.Context, m publishers.Media) (string, error) {
	urn := pub.cp.Get(CheckpointDocument)
	if urn == "" {
		var err error
		if urn, err = pub.uploadDocument(ctx, m); err != nil {
			return "", err
		}
	}
	if pub.cp.Get(CheckpointDocumentReady) == urn {
		return urn, nil
	}
	err := pub.await(ctx, asset{"document", "/rest/documents/", urn}, func() error {
		if err := pub.save(ctx, CheckpointDocument, ""); err != nil {
			return err
		}
		return publishers.Transient(fmt.Errorf("linkedin: document %s is still waiting for its upload; uploading it again next attempt", urn))
	})
	if err != nil {
		return "", err
	}
	return urn, pub.save(ctx, CheckpointDocumentReady, urn)
}

func (pub *publication) uploadDocument(ctx context.Context, m publishers.Media) (string, error) {
	file, err := pub.media.Open(ctx, m.URL, MediaDocument)
	if err != nil {
		return "", fmt.Errorf("linkedin: document: %w", err)
	}
	defer file.Close()
	if file.Size > MaxDocumentBytes {
		return "", publishers.Permanent(fmt.Errorf("linkedin: document is %d bytes; LinkedIn takes at most 100 MB", file.Size))
	}
	var raw json.RawMessage
	body := map[string]any{"initializeUploadRequest": map[string]any{"owner": pub.author.urn}}
	step := "initialize upload of the document"
	if _, err := pub.do(ctx, pub.s, call{step: step, method: http.MethodPost, path: "/rest/documents", query: "action=initializeUpload", body: body, out: &raw, scope: pub.author.writeScope()}); err != nil {
		return "", err
	}
	urn, uploadURL, err := parseDocumentInit(raw)
	if err != nil {
		return "", publishers.Transient(fmt.Errorf("linkedin: %s: %w", step, err))
	}
	pub.s.HideURL(uploadURL)
	if _, err := pub.put(ctx, "upload the document", uploadURL, file, file.Size); err != nil {
		return "", err
	}
	return urn, pub.save(ctx, CheckpointDocument, urn)
}

// parseDocumentInit reads the answer of documents?action=initializeUpload.
func parseDocumentInit(b []byte) (urn, uploadURL string, err error) {
	var out struct {
		Value struct {
			UploadURL string `json:"uploadUrl"`
			Document  string `json:"document"`
		} `json:"value"`
	}
	if json.Unmarshal(b, &out) != nil {
		return "", "", errors.New("answer is not JSON")
	}
	if !documentURN.MatchString(out.Value.Document) {
		return "", "", errors.New("answer has no document URN")
	}
	if !httpURL(out.Value.UploadURL) {
		return "", "", errors.New("answer has no upload URL")
	}
	return out.Value.Document, out.Value.UploadURL, nil
}
