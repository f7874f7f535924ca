package linkedin_test

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/linkedin"
)

// A document post: the file goes up through the Documents API and the
// post names it with its title, which LinkedIn requires.
func TestDocumentPost(t *testing.T) {
	e := start(t)
	cp := &memory{}
	req := request(cp, org, "Our annual report")
	req.Content.Options = map[string]string{linkedin.OptionDocumentURL: e.files.URL + "/report.pdf", linkedin.OptionDocumentTitle: "Report 2026"}
	res, err := e.p.Publish(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	docs := e.srv.Documents()
	urn := cp.Get(linkedin.CheckpointDocument)
	posts := e.srv.Posts()
	if len(docs) != 1 || docs[urn].Status != "AVAILABLE" || docs[urn].Size == 0 {
		t.Fatalf("documents %+v, checkpoint %q", docs, urn)
	}
	if len(posts) != 1 || posts[0].Kind != "document" || posts[0].Title != "Report 2026" || posts[0].MediaIDs[0] != urn || res.RemoteID != posts[0].URN {
		t.Errorf("posts %+v, result %+v", posts, res)
	}
	// A retry after a lost create answer does not upload it again.
	before := len(e.srv.Calls())
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if n := len(e.srv.Calls()) - before; n != 0 {
		t.Errorf("a finished post made %d more calls", n)
	}
}

func TestDocumentPostsLinkedInWouldRefuse(t *testing.T) {
	tests := []struct {
		name string
		opts map[string]string
		says string
	}{
		{"no title", map[string]string{linkedin.OptionDocumentURL: "https://example.com/r.pdf"}, "title"},
		{"title alone", map[string]string{linkedin.OptionDocumentTitle: "R"}, linkedin.OptionDocumentURL},
		{"not a URL", map[string]string{linkedin.OptionDocumentURL: "file:///etc/passwd", linkedin.OptionDocumentTitle: "R"}, "http(s)"},
		{"with an article", map[string]string{linkedin.OptionDocumentURL: "https://example.com/r.pdf", linkedin.OptionDocumentTitle: "R", linkedin.OptionArticleURL: "https://example.com", linkedin.OptionArticleTitle: "A"}, "nothing else"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			req := request(&memory{}, member, "Doc")
			req.Content.Options = tt.opts
			_, err := e.p.Publish(context.Background(), req)
			if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("err = %v, want permanent saying %q", err, tt.says)
			}
			if n := len(e.srv.Calls()); n != 0 {
				t.Errorf("%d calls", n)
			}
		})
	}
}
