package linkedin

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// Content.Options keys the publisher reads. Unknown keys fail the post,
// so a typo does not publish something other than what was meant.
const (
	// OptionVisibility is PUBLIC (default), CONNECTIONS (members only)
	// or LOGGED_IN.
	OptionVisibility = "visibility"
	// OptionArticleURL makes the post an article (link) post.
	OptionArticleURL = "article_url"
	// OptionArticleTitle is the article's title; Content.Title when
	// unset.
	OptionArticleTitle = "article_title"
	// OptionArticleDescription is the article's description.
	OptionArticleDescription = "article_description"
	// OptionArticleThumbnail is the URL of the article's thumbnail
	// image, uploaded through the Images API (LinkedIn does not read
	// the page: no title, description or picture appear unless given).
	OptionArticleThumbnail = "article_thumbnail"
	// OptionDisableReshare, "true", stops others resharing the post.
	OptionDisableReshare = "disable_reshare"
)

// Limits checked before any call.
const (
	// MaxCommentary is the longest commentary, in UTF-16 code units of
	// the text before escaping (LinkedIn cuts longer text silently).
	MaxCommentary = 3000
	// MaxImages is the most images of a multi-image post.
	MaxImages = 20
	maxTitle  = 400
)

type kind int

const (
	kindText kind = iota
	kindArticle
	kindImage
	kindMultiImage
	kindVideo
	kindDocument
)

var kindNames = [...]string{"text", "article", "image", "multi-image", "video", "document"}

func (k kind) String() string { return kindNames[k] }

// plan is what a post will be, checked before any call.
type plan struct {
	kind       kind
	commentary string // escaped little text
	media      []publishers.Media
	title      string
	article    *article
	visibility string
	noReshare  bool
}

// article is an article post's content (Posts API, "Article"): source
// and title required, description and thumbnail (an image URN) optional.
type article struct {
	Source      string `json:"source"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Thumbnail   string `json:"thumbnail,omitempty"`
}

// author is the account's URN and what it is.
type author struct {
	urn string
	org bool
}

var (
	personURN = regexp.MustCompile(`^urn:li:person:[A-Za-z0-9_-]{1,64}$`)
	orgURN    = regexp.MustCompile(`^urn:li:organization:[0-9]{1,20}$`)
)

// parseAuthor reads the account's URN: a member (urn:li:person:...) or
// an organization (urn:li:organization:...) the member administers.
func parseAuthor(id string) (author, error) {
	switch {
	case personURN.MatchString(id):
		return author{urn: id}, nil
	case orgURN.MatchString(id):
		return author{urn: id, org: true}, nil
	}
	return author{}, publishers.Permanent(fmt.Errorf("linkedin: account has no author URN (platform user id %q is not urn:li:person:... or urn:li:organization:...)", wire.Quote(id, 80)))
}

// writeScope is the scope that lets the account post.
func (a author) writeScope() string {
	if a.org {
		return "w_organization_social"
	}
	return "w_member_social"
}

// readScope is the scope that lets the account list its posts.
func (a author) readScope() string {
	if a.org {
		return "r_organization_social"
	}
	return "r_member_social"
}

func planOf(c publishers.Content, a author) (plan, error) {
	fail := func(format string, args ...any) (plan, error) {
		return plan{}, publishers.Permanent(fmt.Errorf("linkedin: "+format, args...))
	}
	pl := plan{commentary: Commentary(c.Text), media: c.Media, title: strings.TrimSpace(c.Title), visibility: "PUBLIC"}
	if n := len(utf16.Encode([]rune(c.Text))); n > MaxCommentary {
		return fail("text is %d characters long; LinkedIn takes at most %d", n, MaxCommentary)
	}
	if len([]rune(pl.title)) > maxTitle {
		return fail("title is longer than %d characters", maxTitle)
	}
	keys := make([]string, 0, len(c.Options))
	for k := range c.Options {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := strings.TrimSpace(c.Options[k])
		switch k {
		case OptionVisibility:
			switch v {
			case "PUBLIC", "LOGGED_IN":
			case "CONNECTIONS":
				if a.org {
					return fail("an organization's post cannot be visible to CONNECTIONS only")
				}
			default:
				return fail("option %s=%q: want PUBLIC, CONNECTIONS or LOGGED_IN", k, wire.Quote(v, 40))
			}
			pl.visibility = v
		case OptionArticleURL:
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return fail("option %s is not an http(s) URL", k)
			}
			if pl.article == nil {
				pl.article = &article{}
			}
			pl.article.Source = v
		case OptionArticleTitle, OptionArticleDescription:
			if len([]rune(v)) > maxTitle {
				return fail("option %s is longer than %d characters", k, maxTitle)
			}
		case OptionDocumentTitle:
			if len([]rune(v)) > maxTitle {
				return fail("option %s is longer than %d characters", k, maxTitle)
			}
		case OptionArticleThumbnail, OptionDocumentURL:
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return fail("option %s is not an http(s) URL", k)
			}
		case OptionAuthor:
			// authorOf read it.
		case OptionDisableReshare:
			switch v {
			case "true":
				pl.noReshare = true
			case "false", "":
			default:
				return fail("option %s=%q: want true or false", k, wire.Quote(v, 40))
			}
		default:
			return fail("unknown option %q", wire.Quote(k, 40))
		}
	}
	images, videos := 0, 0
	for i, m := range c.Media {
		switch m.Kind {
		case publishers.MediaImage:
			images++
		case publishers.MediaVideo:
			videos++
		default:
			return fail("media %d: kind %q is not image or video", i+1, wire.Quote(m.Kind, 20))
		}
	}
	doc := strings.TrimSpace(c.Options[OptionDocumentURL])
	switch {
	case doc != "":
		if len(c.Media) > 0 || pl.article != nil {
			return fail("a document post carries the document and nothing else")
		}
		pl.kind = kindDocument
		pl.media = []publishers.Media{{URL: doc, Kind: MediaDocument}}
		if t := strings.TrimSpace(c.Options[OptionDocumentTitle]); t != "" {
			pl.title = t
		}
		if pl.title == "" {
			return fail("a document post needs a title (option %s, or the post's title)", OptionDocumentTitle)
		}
	case c.Options[OptionDocumentTitle] != "":
		return fail("option %s without %s", OptionDocumentTitle, OptionDocumentURL)
	case pl.article != nil:
		if len(c.Media) > 0 {
			return fail("an article post cannot carry media")
		}
		pl.kind = kindArticle
		pl.article.Title = strings.TrimSpace(c.Options[OptionArticleTitle])
		if pl.article.Title == "" {
			pl.article.Title = pl.title
		}
		if pl.article.Title == "" {
			// LinkedIn does not scrape the page: an article without a
			// title shows none.
			return fail("an article post needs a title (option %s, or the post's title): LinkedIn does not read it from the page", OptionArticleTitle)
		}
		pl.article.Description = strings.TrimSpace(c.Options[OptionArticleDescription])
		if thumb := strings.TrimSpace(c.Options[OptionArticleThumbnail]); thumb != "" {
			// Uploaded as the post's one image (its checkpoints).
			pl.media = []publishers.Media{{URL: thumb, Kind: publishers.MediaImage}}
		}
	case c.Options[OptionArticleTitle] != "" || c.Options[OptionArticleDescription] != "" || c.Options[OptionArticleThumbnail] != "":
		return fail("article options without %s", OptionArticleURL)
	case videos > 0:
		if videos > 1 || images > 0 {
			return fail("a video post carries exactly one video and nothing else")
		}
		pl.kind = kindVideo
	case images > MaxImages:
		return fail("%d images; a post carries at most %d", images, MaxImages)
	case images > 1:
		pl.kind = kindMultiImage
	case images == 1:
		pl.kind = kindImage
	default:
		if strings.TrimSpace(c.Text) == "" {
			return plan{}, publishers.Permanent(errors.New("linkedin: a post without media needs text"))
		}
		pl.kind = kindText
	}
	return pl, nil
}
